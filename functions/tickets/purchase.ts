// POST /v1/events/{id}/orders: buy tickets, exactly once per Idempotency-Key.
import { getPool } from '../../layers/common/db';
import { PROBLEM_CONTENT_TYPE } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { countMetric } from '../../layers/common/metrics';
import { publishFromRequest } from '../../layers/common/outbox-relay';
import { retryPolicy } from '../../layers/common/resilience';
import { buyerOf } from './deps';
import { tickets } from './manifest';
import { purchase } from './orders.store';

// Serialization failures, deadlocks and dropped connections are retried; the key makes a retry safe.
const retry = retryPolicy({ maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 400 });

export const handler = httpHandler(
  'tickets',
  tickets.routes.purchase,
  async ({ params, body, declaredHeaders, caller, correlationId }) => {
    const key = declaredHeaders['Idempotency-Key'];
    const pool = await getPool('tickets');
    const result = await retry.execute(() =>
      purchase(pool, {
        buyer: buyerOf(caller),
        eventId: params.id,
        request: body,
        idempotencyKey: key,
        correlationId,
      }),
    );
    // The TicketPurchased message leaves now; the buyer waits for it only where Lambda freezes after the answer.
    if (result.message) await publishFromRequest('tickets', { topic: 'ticket-events' }, [result.message]);
    const seats = body.items.reduce((sum, item) => sum + item.quantity, 0);
    if (result.status === 201 && !result.replayed) countMetric('tickets', 'TicketsSold', seats);
    if (result.status === 409 && !result.replayed) countMetric('tickets', 'OrdersRefused');
    const orderId = result.status === 201 ? (result.body as { id: string }).id : undefined;
    return {
      statusCode: result.status,
      body: result.body,
      headers: {
        'idempotent-replayed': String(result.replayed),
        ...(result.status >= 400 ? { 'content-type': PROBLEM_CONTENT_TYPE } : {}),
        ...(orderId ? { location: `/v1/orders/${orderId}` } : {}),
      },
    };
  },
);
