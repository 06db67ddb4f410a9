// Paying orders in tests as the payment provider would: a Stripe-format `payment_intent.succeeded` (or
// `.payment_failed`) event for the order's payment, signed with the SDK's test-header helper and sent to the platform's
// webhook. The secret is the one the platform's functions verify with (STRIPE_WEBHOOK_SECRET, else test mode's).
import { expect } from 'vitest';
import { sendPaymentEvent, signedPaymentEvent } from '../../local/payments-page';

export interface PayableOrder {
  id: string;
  status: string;
  total: number;
  currency: string;
  payment: { paymentId: string } | null;
}

/** Sends the provider's event that the order was paid (or declined); the webhook must accept it. */
export async function payOrder(
  apiUrl: string,
  order: PayableOrder,
  outcome: 'succeeded' | 'declined' = 'succeeded',
) {
  if (order.status !== 'awaiting_payment' || !order.payment)
    throw new Error(`order ${order.id} does not await payment (status ${order.status})`);
  const status = await sendPaymentEvent(apiUrl, {
    orderId: order.id,
    paymentId: order.payment.paymentId,
    amount: order.total,
    currency: order.currency,
    succeeded: outcome === 'succeeded',
  });
  expect(status, 'the payment webhook answers 200').toBe(200);
}

/** The signed webhook request of a payment outcome, for tests that send it themselves (replays, bad signatures). */
export function paymentWebhook(
  order: PayableOrder,
  options: { succeeded?: boolean; amount?: number; eventId?: string; secret?: string } = {},
) {
  if (!order.payment) throw new Error(`order ${order.id} has no payment`);
  return signedPaymentEvent(
    {
      orderId: order.id,
      paymentId: order.payment.paymentId,
      amount: options.amount ?? order.total,
      currency: order.currency,
      succeeded: options.succeeded ?? true,
    },
    options.secret,
    options.eventId,
  );
}

/** POST /v1/payments/webhook with a body and signature as given. */
export async function postWebhook(apiUrl: string, payload: string, signature: string) {
  const response = await fetch(`${apiUrl}/v1/payments/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * The order of a 201 purchase answer once paid: a free (confirmed) order as it is; one awaiting payment is paid through
 * the webhook and read back confirmed. For tests that buy priced tickets to check something else than paying.
 */
export async function paidOrder<T extends PayableOrder>(
  apiUrl: string,
  authorization: string,
  order: T,
): Promise<T> {
  if (order.status !== 'awaiting_payment') return order;
  await payOrder(apiUrl, order);
  const response = await fetch(`${apiUrl}/v1/orders/${order.id}`, { headers: { authorization } });
  const paid = (await response.json()) as T;
  expect(paid.status, `order ${order.id} is confirmed by its payment`).toBe('confirmed');
  return paid;
}
