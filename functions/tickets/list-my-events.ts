// GET /v1/users/me/events?when=upcoming|past: the caller's event history, from the snapshot on their orders.
import { getPool } from '../../layers/common/db';
import { httpHandler, ok } from '../../layers/common/http';
import { listEventHistory } from './history.store';
import { tickets } from './manifest';

export const handler = httpHandler('tickets', tickets.routes.myEvents, async ({ query, caller }) =>
  ok(await listEventHistory(await getPool('tickets'), caller.userId, query.when, query.limit, query.cursor)),
);
