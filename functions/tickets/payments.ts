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

/** The order a payment is made for. */
export interface PaymentRequest {
  id: string;
  total: number;
  currency: string;
  buyerEmail: string;
  eventName: string;
  /** When the order's hold ends: a checkout page need not stay open long after. */
  expiresAt: Date | null;
}

export interface PaymentProvider {
  readonly name: PaymentHandle['provider'];
  /** One payment per order: the same `idempotencyKey` always answers the same payment. */
  createPayment(order: PaymentRequest, idempotencyKey: string): Promise<PaymentHandle>;
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

/**
 * The events that move an order; every other event is acknowledged and ignored. Stripe Checkout Sessions (how buyers
 * pay with real Stripe) and Payment Intents (the local test-mode page, and clients paying an intent themselves).
 */
const KINDS: Record<string, 'succeeded' | 'failed'> = {
  'checkout.session.completed': 'succeeded',
  'checkout.session.async_payment_succeeded': 'succeeded',
  'checkout.session.async_payment_failed': 'failed',
  'checkout.session.expired': 'failed',
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'failed',
};

interface PaymentObject {
  id?: unknown;
  object?: unknown;
  /** Payment Intent */
  amount?: unknown;
  amount_received?: unknown;
  /** Checkout Session */
  amount_total?: unknown;
  payment_status?: unknown;
  currency?: unknown;
  metadata?: Record<string, unknown> | null;
}

/** What a payment object says was paid (or asked, for a failure). */
function amountOf(object: PaymentObject, kind: 'succeeded' | 'failed'): unknown {
  if (object.object === 'checkout.session') return object.amount_total;
  return kind === 'succeeded' ? (object.amount_received ?? object.amount) : object.amount;
}

/** A Stripe event (already verified) as a payment event. */
export function paymentEventOf(event: { id: string; type: string; data: { object: unknown } }): PaymentEvent {
  const kind = KINDS[event.type];
  const object = event.data.object as PaymentObject;
  // A completed session paid by a delayed method (a bank debit) is not paid yet: its async_payment event follows.
  const unpaid = event.type === 'checkout.session.completed' && object?.payment_status !== 'paid';
  if (!kind || unpaid || typeof object?.id !== 'string')
    return { kind: 'ignored', eventId: event.id, type: event.type };
  const orderId = object.metadata?.orderId;
  const amount = amountOf(object, kind);
  return {
    kind,
    eventId: event.id,
    type: event.type,
    payment: {
      paymentId: object.id,
      orderId: typeof orderId === 'string' ? orderId : undefined,
      amount: typeof amount === 'number' ? amount : 0,
      currency: String(object.currency ?? '').toUpperCase(),
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
