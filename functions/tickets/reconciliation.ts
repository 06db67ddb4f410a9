// Reconciliation, decided: which of the provider's succeeded payments our orders do not account for, and the event
// that hands such a payment to the webhook's own handling (so a missed webhook is repaired exactly as a late one).
import type { PaymentEvent, ProviderPayment } from './payments';

/** How far back the provider's payments are compared with our orders. */
export const RECONCILE_WINDOW_HOURS = 48;

/** An order as reconciliation sees it. */
export interface ReconciledOrder {
  id: string;
  paymentId: string | null;
  /** The order took a payment (confirmed by it, or cancelled and refunded because of it). */
  paid: boolean;
}

/**
 * What a succeeded payment needs:
 * - `settled`: its order took exactly this payment;
 * - `repair`: its order never saw it (a missed webhook), or took another payment (this one is owed back);
 * - `unknown-order`: it names no order of ours, so nothing here can repair it.
 */
export function paymentCheck(
  payment: ProviderPayment,
  order: ReconciledOrder | undefined,
): 'settled' | 'repair' | 'unknown-order' {
  if (!order) return 'unknown-order';
  return order.paid && order.paymentId === payment.paymentId ? 'settled' : 'repair';
}

/** Order ids the provider's payments name that can be ours (a uuid); others are unknown orders. */
export const orderIdsOf = (payments: ProviderPayment[]) => [
  ...new Set(
    payments
      .map((payment) => payment.orderId)
      .filter((id): id is string => id !== undefined && /^[0-9a-f-]{36}$/i.test(id)),
  ),
];

/**
 * The webhook event a missed `payment_intent.succeeded` would have been. Its id is the payment's, so the webhook's inbox
 * handles it once however often reconciliation runs.
 */
export const missedSuccess = (payment: ProviderPayment): Extract<PaymentEvent, { kind: 'succeeded' }> => ({
  kind: 'succeeded',
  eventId: `reconcile_${payment.paymentId}`,
  type: 'payment_intent.succeeded (reconciliation)',
  payment,
});
