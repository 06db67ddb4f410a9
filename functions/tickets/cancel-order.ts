// POST /v1/orders/{id}/cancel: the buyer cancels before the event starts; seats return and the order is refunded.
import { getPool } from '../../layers/common/db';
import { httpHandler, ok } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { retryPolicy } from '../../layers/common/resilience';
import { tickets } from './manifest';
import { cancelOrder } from './orders.store';

const retry = retryPolicy();

export const handler = httpHandler(
  'tickets',
  tickets.routes.cancelOrder,
  async ({ params, caller, correlationId }) => {
    const pool = await getPool('tickets');
    const order = await retry.execute(() => cancelOrder(pool, params.id, caller.userId, correlationId));
    await relayNow('tickets');
    return ok(order);
  },
);
