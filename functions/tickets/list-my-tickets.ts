// GET /v1/users/me/tickets: the caller's tickets, newest first.
import { getPool } from '../../layers/common/db';
import { httpHandler, ok } from '../../layers/common/http';
import { listTickets } from './history.store';
import { tickets } from './manifest';

export const handler = httpHandler('tickets', tickets.routes.myTickets, async ({ query, caller }) =>
  ok(await listTickets(await getPool('tickets'), caller.userId, query.limit, query.cursor)),
);
