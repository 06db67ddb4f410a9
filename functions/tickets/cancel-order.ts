// POST /v1/orders/{id}/cancel: the buyer cancels before the event starts (a paid order only until the event's refund
// deadline); seats return and what was paid is refunded.
import { ConflictError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { retryPolicy } from '../../layers/common/resilience';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { settleRefund } from './refunds';
import { noSuchOrder, PRIVATE } from './respond';

const retry = retryPolicy();

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.cancelOrder, async ({ params, caller, correlationId }) => {
    const outcome = await retry.execute(() =>
      deps.cancellations.cancelOrder(params.id, caller.userId, correlationId, deps.now()),
    );
    switch (outcome.kind) {
      case 'not-found':
        throw noSuchOrder();
      case 'already-cancelled':
        throw new ConflictError('This order is already cancelled.', 'already-cancelled');
      case 'event-started':
        throw new ConflictError(
          'The event has started; its orders can no longer be cancelled.',
          'event-started',
        );
      case 'not-refundable':
        throw new ConflictError(
          "This event's tickets are not refundable, so a paid order cannot be cancelled; ask the organizer.",
          'not-refundable',
        );
      case 'refund-deadline-passed':
        throw new ConflictError(
          `Refunds for this event ended at ${outcome.order?.refundableUntil}; a paid order can no longer be cancelled, ask the organizer.`,
          'refund-deadline-passed',
          { refundableUntil: outcome.order?.refundableUntil ?? null },
        );
    }
    await deps.snapshots.changed([outcome.order.event.id]);
    const settled = outcome.refund && (await settleRefund(deps, outcome.refund));
    await deps.relay();
    const order = settled ? await deps.orders.findOrder(params.id, caller.userId) : undefined;
    return ok(order ?? outcome.order, PRIVATE);
  });
}

export const handler = makeHandler(realDeps());
