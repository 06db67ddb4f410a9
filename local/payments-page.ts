// The local test-mode payment page: plays Stripe's hosted checkout so `npm run dev` needs no Stripe account. Test card
// 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined; either way the page sends a Stripe-format event, signed
// with the SDK's test-header helper, to the same webhook function Stripe calls in AWS: one code path.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Stripe from 'stripe';
import { PAYMENT_ENV, TEST_MODE_WEBHOOK_SECRET } from '../functions/tickets/payments.provider';

export const TEST_MODE_PAGE_PATH = '/test-mode/pay';
export const TEST_CARDS = { succeeds: '4242424242424242', declined: '4000000000000002' } as const;

/** The environment that turns test mode on for the functions, unless Stripe keys were given. */
export function paymentsTestModeEnv(gatewayUrl: string): Record<string, string> {
  if (process.env[PAYMENT_ENV.secretKey] || process.env[PAYMENT_ENV.secretArn]) return {};
  return { [PAYMENT_ENV.testMode]: 'true', [PAYMENT_ENV.testPageUrl]: `${gatewayUrl}${TEST_MODE_PAGE_PATH}` };
}

export interface PaymentOutcome {
  orderId: string;
  paymentId: string;
  amount: number;
  currency: string;
  succeeded: boolean;
}

/** The data object of a Stripe event about a Checkout Session (`cs_…`, real Stripe) or a Payment Intent (`pi_…`). */
function paymentObject(outcome: PaymentOutcome) {
  const metadata = { orderId: outcome.orderId };
  const currency = outcome.currency.toLowerCase();
  if (outcome.paymentId.startsWith('cs_'))
    return {
      type: outcome.succeeded ? 'checkout.session.completed' : 'checkout.session.expired',
      object: {
        id: outcome.paymentId,
        object: 'checkout.session',
        amount_total: outcome.amount,
        currency,
        status: outcome.succeeded ? 'complete' : 'expired',
        payment_status: outcome.succeeded ? 'paid' : 'unpaid',
        payment_intent: outcome.succeeded ? `pi_${outcome.paymentId.slice(3)}` : null,
        client_reference_id: outcome.orderId,
        metadata,
      },
    };
  return {
    type: outcome.succeeded ? 'payment_intent.succeeded' : 'payment_intent.payment_failed',
    object: {
      id: outcome.paymentId,
      object: 'payment_intent',
      amount: outcome.amount,
      amount_received: outcome.succeeded ? outcome.amount : 0,
      currency,
      status: outcome.succeeded ? 'succeeded' : 'requires_payment_method',
      metadata,
      last_payment_error: outcome.succeeded
        ? null
        : { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' },
    },
  };
}

/**
 * The Stripe event of a payment's outcome, and its signature header: `checkout.session.completed` / `.expired` for a
 * Checkout Session, `payment_intent.succeeded` / `.payment_failed` for an intent (this page's own payments).
 */
export function signedPaymentEvent(
  outcome: PaymentOutcome,
  secret: string = process.env[PAYMENT_ENV.webhookSecret] || TEST_MODE_WEBHOOK_SECRET,
  eventId: string = `evt_test_${randomBytes(12).toString('hex')}`,
): { payload: string; signature: string; eventId: string } {
  const { type, object } = paymentObject(outcome);
  const payload = JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
  });
  return { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret }), eventId };
}

/** Sends the signed event to the platform's webhook route; the webhook's status. */
export async function sendPaymentEvent(apiUrl: string, outcome: PaymentOutcome): Promise<number> {
  const { payload, signature } = signedPaymentEvent(outcome);
  const response = await fetch(`${apiUrl}/v1/payments/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  await response.arrayBuffer();
  return response.status;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const STYLE =
  'body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}' +
  'label,input,button{display:block;width:100%;box-sizing:border-box;margin:.5rem 0}' +
  'input{padding:.6rem;font-size:1.1rem}button{padding:.7rem;font-size:1rem;background:#0a5;color:#fff;border:0}' +
  '.note{font-size:.85rem;color:#555}.error{color:#b00}';

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><p class="note">TEST MODE: no real payment</p>
<h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

interface Checkout {
  orderId: string;
  paymentId: string;
  amount: number;
  currency: string;
  event: string;
}

function checkoutOf(orderId: string, params: URLSearchParams): Checkout | undefined {
  const amount = Number(params.get('amount'));
  const paymentId = params.get('payment') ?? '';
  const currency = params.get('currency') ?? '';
  if (!/^[0-9a-f-]{36}$/.test(orderId) || !/^pi_[A-Za-z0-9_]+$/.test(paymentId)) return undefined;
  if (!Number.isInteger(amount) || amount <= 0 || !/^[A-Za-z]{3}$/.test(currency)) return undefined;
  return { orderId, paymentId, amount, currency: currency.toUpperCase(), event: params.get('event') ?? '' };
}

function form(checkout: Checkout, error?: string): string {
  const hidden = Object.entries({
    payment: checkout.paymentId,
    amount: String(checkout.amount),
    currency: checkout.currency,
    event: checkout.event,
  })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  const price = new Intl.NumberFormat('en', { style: 'currency', currency: checkout.currency }).format(
    checkout.amount / 100,
  );
  return page(
    `Pay ${price}`,
    `<p>${escapeHtml(checkout.event)}</p>${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post">${hidden}<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="off" required placeholder="4242 4242 4242 4242">
<button type="submit">Pay ${escapeHtml(price)}</button></form>
<p class="note">4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined.</p>`,
  );
}

/**
 * The page's requests: GET shows the checkout of one order, POST pays it (or is declined). Anything else is not the
 * page's (false). `apiUrl` is where the webhook is sent: the platform itself.
 */
export function paymentsPage(apiUrl: () => string) {
  return async (request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<boolean> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(`${TEST_MODE_PAGE_PATH}/`)) return false;
    const method = (request.method ?? 'GET').toUpperCase();
    const orderId = url.pathname.slice(TEST_MODE_PAGE_PATH.length + 1);
    const params = method === 'POST' ? new URLSearchParams(body.toString('utf8')) : url.searchParams;
    const checkout = checkoutOf(orderId, params);
    const send = (status: number, html: string) => {
      response.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
        'x-frame-options': 'DENY',
      });
      response.end(method === 'HEAD' ? undefined : html);
    };
    if (!checkout) {
      send(400, page('Not a payment', '<p>This link does not describe a test-mode payment.</p>'));
      return true;
    }
    if (method !== 'POST') {
      send(200, form(checkout));
      return true;
    }
    const card = (params.get('card') ?? '').replace(/[\s-]/g, '');
    if (card !== TEST_CARDS.succeeds && card !== TEST_CARDS.declined) {
      send(422, form(checkout, 'Use a test card: 4242 4242 4242 4242 or 4000 0000 0000 0002.'));
      return true;
    }
    const succeeded = card === TEST_CARDS.succeeds;
    const status = await sendPaymentEvent(apiUrl(), { ...checkout, succeeded });
    const link = `<p><a href="/orders/${escapeHtml(checkout.orderId)}?new=1">See your order</a></p>`;
    if (status !== 200)
      send(502, page('Something went wrong', `<p>The webhook answered ${status}.</p>${link}`));
    else if (succeeded) send(200, page('Payment succeeded', `<p>Your order is paid.</p>${link}`));
    else send(200, page('Card declined', `<p>Your card was declined; the seats were released.</p>${link}`));
    return true;
  };
}
