// GET /v1/users/me/events?when=upcoming|past: the caller's event history, from the snapshot on their orders.
import { httpHandler, ok } from '../../layers/common/http';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.myEvents, async ({ query, caller }) =>
    ok(await deps.orders.listEventHistory(caller.userId, query.when, query.limit, query.cursor, deps.now())),
  );
}

export const handler = makeHandler(realDeps());
