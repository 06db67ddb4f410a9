// GET /v1/orders/{id}: one of the caller's orders; anyone else's is a 404.
import { getPool } from '../../layers/common/db';
import { NotFoundError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { tickets } from './manifest';
import { findOrder } from './orders.store';

export const handler = httpHandler('tickets', tickets.routes.getOrder, async ({ params, caller }) => {
  const order = await findOrder(await getPool('tickets'), params.id, caller.userId);
  if (!order) throw new NotFoundError('No such order.');
  return ok(order);
});
