// Payments, decided: what the provider is asked to do (a payment per order, a refund) and what a provider event does
// to an order. No SQL, no SDK: payments.provider.ts talks to Stripe (or plays it locally), payments.store.ts writes.
import type { Order } from './schemas';

/** Stripe's own settings, from the environment or (in AWS) the Secrets Manager secret. */
export interface StripeSettings {
  secretKey: string;
  webhookSecret: string;
}

/** What a client needs to pay an order, as the provider made it. */
export type PaymentHandle = NonNullable<Order['payment']>;

export interface RefundResult {
  refundId: string;
  status: 'pending' | 'succeeded' | 'failed';
}

export interface PaymentProvider {
  readonly name: PaymentHandle['provider'];
  /** One payment per order: the same `idempotencyKey` always answers the same payment. */
  createPayment(
    order: { id: string; total: number; currency: string; buyerEmail: string; eventName: string },
    idempotencyKey: string,
  ): Promise<PaymentHandle>;
  /** Refunds `amount` of a payment; the same key never refunds twice. */
  refund(paymentId: string, amount: number, idempotencyKey: string): Promise<RefundResult>;
  /**
   * Succeeded payments created since `since` (reconciliation), with the order each was for; null when the provider
   * keeps no record to compare with (the local test-mode page).
   */
  recentPayments(since: Date): Promise<ProviderPayment[] | null>;
  /**
   * Cancels a payment that can no longer buy anything (its hold was released): `cancelled`, or `not-cancellable` when
   * the provider says it is past that (already paid, already cancelled): a payment that succeeded meanwhile reaches
   * the webhook, which confirms or refunds it.
   */
  cancelPayment(paymentId: string): Promise<'cancelled' | 'not-cancellable'>;
}

export interface ProviderPayment {
  paymentId: string;
  orderId: string | undefined;
  amount: number;
  currency: string;
}

/** The provider's idempotency keys: one payment and one refund per order, whoever asks and however often. */
export const paymentKey = (orderId: string) => `order-${orderId}`;
export const refundKey = (orderId: string) => `refund-${orderId}`;

/** A verified provider event, as far as orders care. */
interface MovingEvent {
  eventId: string;
  type: string;
  payment: ProviderPayment;
}
export type PaymentEvent =
  | (MovingEvent & { kind: 'succeeded' })
  | (MovingEvent & { kind: 'failed' })
  | { kind: 'ignored'; eventId: string; type: string };

/** The Payment Intent events that move an order; every other event is acknowledged and ignored. */
const KINDS: Record<string, 'succeeded' | 'failed'> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'failed',
};

interface IntentLike {
  id?: unknown;
  amount?: unknown;
  amount_received?: unknown;
  currency?: unknown;
  metadata?: Record<string, unknown> | null;
}

/** A Stripe event (already verified) as a payment event. */
export function paymentEventOf(event: { id: string; type: string; data: { object: unknown } }): PaymentEvent {
  const kind = KINDS[event.type];
  const intent = event.data.object as IntentLike;
  if (!kind || typeof intent?.id !== 'string')
    return { kind: 'ignored', eventId: event.id, type: event.type };
  const orderId = intent.metadata?.orderId;
  const amount = kind === 'succeeded' ? (intent.amount_received ?? intent.amount) : intent.amount;
  return {
    kind,
    eventId: event.id,
    type: event.type,
    payment: {
      paymentId: intent.id,
      orderId: typeof orderId === 'string' ? orderId : undefined,
      amount: typeof amount === 'number' ? amount : 0,
      currency: String(intent.currency ?? '').toUpperCase(),
    },
  };
}

/** The state of an order a payment event acts on. */
export interface PayableOrder {
  status: Order['status'];
  total: number;
  currency: string;
  paymentId: string | null;
  paid: boolean;
}

/**
 * What a payment event does to an order:
 * - `confirm`: paid in full while its seats are held (expired or not: nobody took them yet);
 * - `retake`: paid in full after its hold was released: confirm if the seats can be taken again, else refund;
 * - `refund`: money we must give back (the order was cancelled meanwhile, or the amount is not the order's);
 * - `release`: the payment failed or was abandoned while the seats are held;
 * - `none`: nothing to do (already handled, a failure after a success, another payment's event).
 */
export type PaymentAction = 'confirm' | 'retake' | 'refund' | 'release' | 'none';

export function paymentAction(
  order: PayableOrder,
  event: Exclude<PaymentEvent, { kind: 'ignored' }>,
): PaymentAction {
  const ours = order.paymentId === null || order.paymentId === event.payment.paymentId;
  if (event.kind === 'failed') return order.status === 'awaiting_payment' && ours ? 'release' : 'none';
  // A second payment for a paid order is not owed to us.
  if (order.paid) return ours ? 'none' : 'refund';
  const inFull =
    event.payment.amount === order.total && event.payment.currency === order.currency.toUpperCase();
  if (!inFull) return 'refund';
  switch (order.status) {
    case 'awaiting_payment':
      return 'confirm';
    case 'expired':
      return 'retake';
    case 'cancelled':
      return 'refund';
    case 'confirmed':
      // Confirmed without any payment (a free order): the money is not owed to us.
      return 'refund';
  }
}
