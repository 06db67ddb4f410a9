// Every minute: releases the holds of orders whose payment did not come in time (their seats go back on sale; reads
// of availability already counted them free), cancels the payments of released holds at the provider (so a buyer
// cannot pay for seats that went back on sale: a payment that wins that race is refunded by the webhook), and asks
// the provider again for refunds it has not confirmed.
import { getLogger } from '../../layers/common/logger';
import { withMetrics } from '../../layers/common/metrics';
import { realDeps } from './deps';
import type { TicketsDeps } from './model';
import { refundKey } from './payments';
import { settleRefund } from './refunds';

/** Batches per run: a run never outlasts its minute, and the next one picks up the rest. */
const MAX_BATCHES = 20;

/**
 * Cancels the payments of released holds (by the sweep, a purchase that found seats short, or a failed payment); one
 * the provider does not answer stays pending for the next run.
 */
async function cancelReleasedPayments(deps: TicketsDeps): Promise<number> {
  const pending = await deps.payments.store.paymentsToCancel();
  if (pending.length === 0) return 0;
  const provider = await deps.payments.provider();
  let cancelled = 0;
  for (const { orderId, paymentId } of pending) {
    try {
      await provider.cancelPayment(paymentId);
      await deps.payments.store.recordPaymentCancelled(orderId);
      cancelled += 1;
    } catch (error) {
      deps.warn('payment not cancelled yet', { order_id: orderId, reason: (error as Error).message });
    }
  }
  return cancelled;
}

export function makeHandler(deps: TicketsDeps) {
  return withMetrics(async () => {
    let released = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      const events = await deps.payments.store.releaseExpiredHolds();
      released += events.length;
      if (events.length === 0) break;
      await deps.snapshots.changed(events);
    }
    const cancelled = await cancelReleasedPayments(deps);
    let refunds = 0;
    for (const refund of await deps.payments.store.pendingRefunds()) {
      if (await settleRefund(deps, { ...refund, key: refundKey(refund.orderId) })) refunds += 1;
    }
    getLogger('tickets').info('holds swept', { released, cancelled, refunds });
    return { released, cancelled, refunds };
  });
}

export const handler = makeHandler(realDeps());
