// GET /v1/orders/{id}: one of the caller's orders; anyone else's is a 404.
import { httpHandler, ok } from '../../layers/common/http';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { noSuchOrder, PRIVATE } from './respond';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.getOrder, async ({ params, caller }) => {
    const order = await deps.orders.findOrder(params.id, caller.userId);
    if (!order) throw noSuchOrder();
    return ok(order, PRIVATE);
  });
}

export const handler = makeHandler(realDeps());
