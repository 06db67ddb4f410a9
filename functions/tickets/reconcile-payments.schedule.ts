// Every 15 minutes: compares the provider's succeeded payments of the last 48 hours with our orders. A payment whose
// webhook never came is handled by the webhook's own code (confirmed, or cancelled and refunded with an email when its
// seats are gone); a confirmed paid order without a succeeded payment is flagged; what cannot be repaired is counted
// (PaymentsUnreconciled, alarmed) and logged for a person.
import { getLogger } from '../../layers/common/logger';
import { withMetrics } from '../../layers/common/metrics';
import { realDeps } from './deps';
import type { TicketsDeps } from './model';
import { refundKey } from './payments';
import { missedSuccess, orderIdsOf, paymentCheck, RECONCILE_WINDOW_HOURS } from './reconciliation';
import { settleRefund } from './refunds';

/** Orders are created before their payment; this margin keeps clock skew from flagging the window's first orders. */
const ORDER_MARGIN_MS = 5 * 60_000;

export function makeHandler(deps: TicketsDeps) {
  return withMetrics(async () => {
    const log = getLogger('tickets');
    const since = new Date(deps.now().getTime() - RECONCILE_WINDOW_HOURS * 3_600_000);
    const provider = await deps.payments.provider();
    const payments = await provider.recentPayments(since);
    if (payments === null) {
      log.info('payments not reconciled: the provider keeps no record', { provider: provider.name });
      return { checked: 0, repaired: 0, unrepaired: 0, flagged: 0 };
    }
    const orders = new Map(
      (await deps.payments.store.ordersForReconciliation(orderIdsOf(payments))).map((o) => [o.id, o]),
    );
    let repaired = 0;
    let unrepaired = 0;
    for (const payment of payments) {
      const order = payment.orderId ? orders.get(payment.orderId) : undefined;
      const check = paymentCheck(payment, order);
      if (check === 'settled') continue;
      if (check === 'unknown-order') {
        unrepaired += 1;
        deps.warn('succeeded payment names no order', { payment_id: payment.paymentId });
        continue;
      }
      const handled = await deps.payments.store.handleEvent(
        missedSuccess(payment),
        { newId: deps.newId, signTickets: deps.signTickets },
        deps.newId(),
      );
      if (handled.seatsChanged) await deps.snapshots.changed([handled.seatsChanged]);
      if (handled.outcome === 'confirmed' || handled.outcome === 'confirmed-late') {
        deps.count('TicketsSold', handled.seats ?? 0);
        repaired += 1;
      } else if (handled.outcome === 'refunded') {
        repaired += 1;
      } else if (handled.outcome !== 'duplicate' || !order?.paid) {
        // A duplicate of a paid order's second payment was refunded by an earlier run; anything else is stuck.
        unrepaired += 1;
        deps.warn('payment not reconciled', { payment_id: payment.paymentId, outcome: handled.outcome });
      }
      const refund = handled.refund;
      // An order's pending refund is asked again by the holds sweep; a second payment's is recorded nowhere else.
      if (refund && !(await settleRefund(deps, refund)) && refund.key !== refundKey(refund.orderId))
        unrepaired += 1;
    }
    const flagged = await deps.payments.store.confirmedWithoutPayment(
      provider.name,
      new Date(since.getTime() + ORDER_MARGIN_MS),
      payments.map((payment) => payment.paymentId),
    );
    for (const { orderId, paymentId } of flagged)
      deps.warn('confirmed paid order without a succeeded payment', {
        order_id: orderId,
        payment_id: paymentId,
      });
    deps.count('PaymentsReconciled', repaired);
    deps.count('PaymentsUnreconciled', unrepaired + flagged.length);
    if (repaired > 0) await deps.relay();
    const summary = { checked: payments.length, repaired, unrepaired, flagged: flagged.length };
    log.info('payments reconciled', summary);
    return summary;
  });
}

export const handler = makeHandler(realDeps());
