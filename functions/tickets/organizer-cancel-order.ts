// POST /v1/organizer/orders/{id}/cancel: the event's owner or a manager cancels one order of the event, at any time;
// its seats go back on sale, what was paid is refunded and the buyer is told by email. Another event's order is a 404.
import { ConflictError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { retryPolicy } from '../../layers/common/resilience';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { toOrder } from './orders.store';
import { settleRefund } from './refunds';
import { noSuchOrder } from './respond';

const retry = retryPolicy();

export function makeHandler(deps: TicketsDeps) {
  return httpHandler(
    'tickets',
    tickets.routes.organizerCancelOrder,
    async ({ params, caller, correlationId }) => {
      const outcome = await retry.execute(() =>
        deps.cancellations.cancelOrderAsOrganizer(params.id, caller.userId, correlationId),
      );
      if (outcome.kind === 'not-found') throw noSuchOrder();
      if (outcome.kind !== 'cancelled')
        throw new ConflictError(
          'This order is no longer active (cancelled or expired).',
          'already-cancelled',
        );
      await deps.snapshots.changed([outcome.order.event.id]);
      const settled = outcome.refund && (await settleRefund(deps, outcome.refund));
      await deps.relay();
      // With the refund as the provider answered it.
      const row = settled ? await deps.payments.store.orderForPayment(params.id) : undefined;
      return ok(row ? toOrder(row) : outcome.order, { 'cache-control': 'no-store' });
    },
  );
}

export const handler = makeHandler(realDeps());
