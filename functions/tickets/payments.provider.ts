// The payment provider: Stripe through its official SDK (real Stripe in AWS, stripe-mock in tests), or, under the local
// runtime only, the test-mode page that plays Stripe's checkout and sends Stripe-format signed webhooks. Either way
// the webhook is verified by the SDK with the same code.
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { readSecretString } from '../../layers/common/aws/secrets';
import { ConfigError, optionalEnv } from '../../layers/common/config';
import { ENV } from '../../layers/common/env-names';
import type { PaymentHandle, PaymentProvider, StripeSettings } from './payments';

/** The webhook secret of the local test-mode page: known to everyone, so accepted only where test mode is on. */
export const TEST_MODE_WEBHOOK_SECRET = 'whsec_test_mode_local_only';

export const PAYMENT_ENV = {
  /** A Stripe secret key (sk_test_… with stripe-mock); in AWS the secret below instead. */
  secretKey: 'STRIPE_SECRET_KEY',
  /** Secrets Manager secret (JSON `{ "secretKey", "webhookSecret" }`): how AWS gets Stripe's keys. */
  secretArn: ENV.stripeSecretArn,
  webhookSecret: 'STRIPE_WEBHOOK_SECRET',
  /** Where the SDK sends its requests (stripe-mock); Stripe's own API when unset. */
  apiUrl: 'STRIPE_API_URL',
  /** Set by the local runtime: with no Stripe key, orders are paid on its test-mode page. */
  testMode: 'PAYMENTS_TEST_MODE',
  testPageUrl: 'PAYMENTS_TEST_PAGE_URL',
} as const;

export type PaymentsConfig =
  | { mode: 'stripe'; settings: () => Promise<StripeSettings> }
  | { mode: 'test-mode'; webhookSecret: string; pageUrl: string };

/** Which provider this environment pays with; neither Stripe keys nor test mode is a configuration error. */
export function paymentsConfig(): PaymentsConfig {
  const secretKey = optionalEnv(PAYMENT_ENV.secretKey);
  const secretArn = optionalEnv(PAYMENT_ENV.secretArn);
  if (secretKey) {
    const webhookSecret = optionalEnv(PAYMENT_ENV.webhookSecret);
    if (!webhookSecret)
      throw new ConfigError(`${PAYMENT_ENV.secretKey} is set without ${PAYMENT_ENV.webhookSecret}`);
    return { mode: 'stripe', settings: async () => ({ secretKey, webhookSecret }) };
  }
  if (secretArn) return { mode: 'stripe', settings: () => settingsFromSecret(secretArn) };
  if (optionalEnv(PAYMENT_ENV.testMode) === 'true') {
    return {
      mode: 'test-mode',
      webhookSecret: optionalEnv(PAYMENT_ENV.webhookSecret, TEST_MODE_WEBHOOK_SECRET),
      pageUrl: optionalEnv(PAYMENT_ENV.testPageUrl, 'http://localhost:3000/test-mode/pay'),
    };
  }
  throw new ConfigError(
    `Payments need ${PAYMENT_ENV.secretArn} (or ${PAYMENT_ENV.secretKey}); test mode exists only under the local runtime`,
  );
}

async function settingsFromSecret(arn: string): Promise<StripeSettings> {
  let secret: Partial<StripeSettings>;
  try {
    secret = JSON.parse(await readSecretString(arn)) as Partial<StripeSettings>;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ConfigError('The Stripe secret must be JSON holding secretKey and webhookSecret');
  }
  if (!secret.secretKey || !secret.webhookSecret)
    throw new ConfigError('The Stripe secret must hold secretKey and webhookSecret');
  return { secretKey: secret.secretKey, webhookSecret: secret.webhookSecret };
}

/** An SDK client; against stripe-mock when STRIPE_API_URL says so. */
export function stripeClient(secretKey: string): Stripe {
  const api = optionalEnv(PAYMENT_ENV.apiUrl);
  const url = api ? new URL(api) : undefined;
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    timeout: 8000,
    ...(url
      ? {
          host: url.hostname,
          port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          protocol: url.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}

/** The webhook check, the same for Stripe and the test-mode page: signature and Stripe's default tolerance. */
export function verifyWebhook(rawBody: string, signature: string, webhookSecret: string): Stripe.Event {
  return Stripe.webhooks.constructEvent(rawBody, signature, webhookSecret);
}

/** Stripe keeps a Checkout Session open at least this long (and at most 24 hours). */
const SESSION_MIN_OPEN_MS = 30 * 60_000;
const SESSION_MARGIN_MS = 60_000;

/**
 * Real Stripe: one Checkout Session per order, Stripe's hosted payment page (`checkoutUrl`), so no card data ever
 * reaches our pages and the web app needs no Stripe.js. The session is the order's payment (`cs_…`); its Payment Intent,
 * made by Stripe when the buyer pays, is found from it for refunds.
 */
export function stripeProvider(stripe: Stripe, returnUrl: (orderId: string) => string): PaymentProvider {
  return {
    name: 'stripe',
    async createPayment(order, idempotencyKey) {
      // Open for the hold and a moment more (Stripe's 30-minute floor applies); the sweep expires it sooner when the
      // hold is released, and a payment that still wins that race is a late payment (confirmed or refunded).
      const openUntil = Math.max(
        Date.now() + SESSION_MIN_OPEN_MS + SESSION_MARGIN_MS,
        (order.expiresAt?.getTime() ?? 0) + SESSION_MARGIN_MS,
      );
      const session = await stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: order.currency.toLowerCase(),
                unit_amount: order.total,
                product_data: { name: `Tickets: ${order.eventName}` },
              },
            },
          ],
          customer_email: order.buyerEmail,
          client_reference_id: order.id,
          metadata: { orderId: order.id },
          payment_intent_data: { receipt_email: order.buyerEmail, description: order.eventName },
          success_url: `${returnUrl(order.id)}?new=1`,
          cancel_url: returnUrl(order.id),
          expires_at: Math.floor(openUntil / 1000),
        },
        { idempotencyKey },
      );
      return { provider: 'stripe', paymentId: session.id, clientSecret: null, checkoutUrl: session.url };
    },
    async refund(paymentId, amount, idempotencyKey) {
      const paymentIntent = await intentOf(stripe, paymentId);
      const refund = await stripe.refunds.create(
        { payment_intent: paymentIntent, amount },
        { idempotencyKey },
      );
      const status =
        refund.status === 'succeeded' ? 'succeeded' : refund.status === 'failed' ? 'failed' : 'pending';
      return { refundId: refund.id, status };
    },
    async cancelPayment(paymentId) {
      if (!isSession(paymentId)) return cancelIntent(stripe, paymentId);
      try {
        await stripe.checkout.sessions.expire(paymentId);
        return 'cancelled';
      } catch (error) {
        if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
        // Only an open session can be expired: this one was paid or expired already.
        const session = await stripe.checkout.sessions.retrieve(paymentId);
        if (session.status === 'open') throw error;
        return 'not-cancellable';
      }
    },
    async recentPayments(since) {
      const payments = [];
      for await (const session of stripe.checkout.sessions.list({
        created: { gte: Math.floor(since.getTime() / 1000) },
        status: 'complete',
        limit: 100,
      })) {
        if (session.payment_status !== 'paid') continue;
        payments.push({
          paymentId: session.id,
          orderId: typeof session.metadata?.orderId === 'string' ? session.metadata.orderId : undefined,
          amount: session.amount_total ?? 0,
          currency: (session.currency ?? '').toUpperCase(),
        });
      }
      return payments;
    },
  };
}

const isSession = (paymentId: string) => paymentId.startsWith('cs_');

/** The Payment Intent that took a payment: a session's, or the payment itself when it is an intent. */
async function intentOf(stripe: Stripe, paymentId: string): Promise<string> {
  if (!isSession(paymentId)) return paymentId;
  const { payment_intent: intent } = await stripe.checkout.sessions.retrieve(paymentId);
  const id = typeof intent === 'string' ? intent : intent?.id;
  if (!id) throw new Error(`Checkout Session ${paymentId} has no payment to refund`);
  return id;
}

/** Stripe's answer to cancelling a Payment Intent that already succeeded or was cancelled. */
const UNEXPECTED_STATE = 'payment_intent_unexpected_state';

/** Orders paid through an intent of their own (before Checkout Sessions, or by a client using Stripe.js). */
async function cancelIntent(stripe: Stripe, paymentId: string): Promise<'cancelled' | 'not-cancellable'> {
  try {
    await stripe.paymentIntents.cancel(paymentId, { cancellation_reason: 'abandoned' });
    return 'cancelled';
  } catch (error) {
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === UNEXPECTED_STATE)
      return 'not-cancellable';
    throw error;
  }
}

/** The local test-mode provider: the payment is made on the runtime's page, which signs its own webhooks. */
export function testModeProvider(pageUrl: string): PaymentProvider {
  return {
    name: 'test-mode',
    async createPayment(order): Promise<PaymentHandle> {
      // Derived from the order, so a retry answers the same payment.
      const paymentId = `pi_test_${order.id.replaceAll('-', '')}`;
      const url = new URL(`${pageUrl}/${order.id}`);
      url.searchParams.set('payment', paymentId);
      url.searchParams.set('amount', String(order.total));
      url.searchParams.set('currency', order.currency);
      url.searchParams.set('event', order.eventName);
      return { provider: 'test-mode', paymentId, clientSecret: null, checkoutUrl: url.toString() };
    },
    async refund() {
      return { refundId: `re_test_${randomUUID().replaceAll('-', '')}`, status: 'succeeded' };
    },
    async cancelPayment() {
      // The page keeps no payment to cancel: one made on it after the hold was released reaches the webhook as a
      // late payment (confirmed if the seats are still free, otherwise refunded).
      return 'cancelled';
    },
    async recentPayments() {
      // The page keeps no record (its webhooks are the record), so there is nothing to reconcile against.
      return null;
    },
  };
}
