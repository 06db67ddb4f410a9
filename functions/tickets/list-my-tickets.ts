// GET /v1/users/me/tickets: the caller's tickets, newest first.
import { httpHandler, ok } from '../../layers/common/http';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { PRIVATE } from './respond';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.myTickets, async ({ query, caller }) =>
    ok(await deps.orders.listTickets(caller.userId, query.limit, query.cursor), PRIVATE),
  );
}

export const handler = makeHandler(realDeps());
