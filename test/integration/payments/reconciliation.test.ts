// Payment reconciliation against real PostgreSQL, the outbox, the emulator's queues and the mail catcher. The local
// runtime pays in test mode, whose page keeps no record of payments, so the provider's list of succeeded payments is
// the one thing played here: it answers what each test says the provider took. The Stripe provider's own listing is
// checked against stripe-mock (static fixtures: the request shape, not what it answers).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { realDeps } from '../../../functions/tickets/deps';
import type { ProviderPayment } from '../../../functions/tickets/payments';
import { stripeClient, stripeProvider, testModeProvider } from '../../../functions/tickets/payments.provider';
import { makeHandler } from '../../../functions/tickets/reconcile-payments.schedule';
import type { Platform } from '../../../local/platform';
import { databasePool } from '../../support/db';
import { type PayableOrder, payOrder } from '../../support/payments';
import { withIssuedPlatform } from '../../support/platform';
import { buy, buyerHeaders, putOnSale } from '../../support/purchases';
import { waitForQueueDrained } from '../../support/sqs';
import { startStripeMock } from '../../support/stripe-mock';
import type { TestIssuer } from '../../support/tokens';
import { emailsFor } from '../notifications/support';

let platform: Platform;
let issuer: TestIssuer;
/** The provider's succeeded payments, as the tests add them (the first test's stays, as at a real provider). */
const succeededAtProvider: ProviderPayment[] = [];
let reconcile: ReturnType<typeof makeHandler>;
let db: pg.Pool;

withIssuedPlatform({ schedules: false, redisUrl: null }, (started) => {
  ({ platform, issuer } = started);
  const deps = realDeps();
  const provider = {
    ...testModeProvider(`${platform.apiUrl}/test-mode/pay`),
    recentPayments: async () => succeededAtProvider,
  };
  reconcile = makeHandler({ ...deps, payments: { ...deps.payments, provider: async () => provider } });
  db = databasePool(platform.databaseUrls.tickets, 1);
});
afterAll(async () => {
  await db?.end();
});

type Order = PayableOrder & { tickets: { code: string }[]; payment: { paymentId: string } | null };

async function heldOrder(name: string, email = `reconcile-${randomUUID()}@example.com`) {
  const onSale = await putOnSale(
    {
      name,
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 90_000_000).toISOString(),
      timezone: 'Europe/Paris',
      place: 'Olympia, Paris, FR',
    },
    { name: 'Floor', price: 3500, currency: 'EUR', quantity: 2 },
  );
  const headers = await buyerHeaders(issuer, platform.apiUrl, { email, givenName: 'Rita' });
  const response = await buy(platform.apiUrl, headers, onSale, 2);
  expect(response.status).toBe(201);
  const order = (await response.json()) as Order;
  expect(order.status).toBe('awaiting_payment');
  return { email, headers, order, onSale };
}

const emailsDrained = () =>
  waitForQueueDrained(platform.awsEndpoint, platform.queueUrls['notifications-ticket-events'] ?? '', {
    timeoutMs: 45_000,
  });

const orderOf = async (headers: Record<string, string>, id: string) =>
  (await (await fetch(`${platform.apiUrl}/v1/orders/${id}`, { headers })).json()) as Order;

const paidAtProvider = (order: Order): ProviderPayment => ({
  paymentId: order.payment?.paymentId ?? '',
  orderId: order.id,
  amount: order.total,
  currency: order.currency,
});

describe('payment reconciliation', () => {
  it('repairs a confirmed-payment-missed-webhook case', async () => {
    const { email, headers, order } = await heldOrder('Missed webhook');
    // The provider took the payment; its webhook never reached us.
    succeededAtProvider.push(paidAtProvider(order));

    expect(await reconcile()).toMatchObject({ checked: 1, repaired: 1, unrepaired: 0, flagged: 0 });
    const confirmed = await orderOf(headers, order.id);
    expect(confirmed.status).toBe('confirmed');
    expect(confirmed.tickets).toHaveLength(2);
    const [confirmation] = await emailsFor(platform.mailUrl, email, 1);
    for (const ticket of confirmed.tickets) expect(confirmation?.text).toContain(ticket.code);

    expect(await reconcile()).toMatchObject({ checked: 1, repaired: 0, unrepaired: 0, flagged: 0 });
    expect(await orderOf(headers, order.id)).toEqual(confirmed);
    await emailsDrained();
    expect(await emailsFor(platform.mailUrl, email, 1)).toHaveLength(1);
  });

  it('refunds a missed payment whose seats were sold to someone else meanwhile, and tells the buyer', async () => {
    const late = await heldOrder('Missed and resold');
    await db.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      late.order.id,
    ]);
    const quickEmail = `quick-${randomUUID()}@example.com`;
    const quickHeaders = await buyerHeaders(issuer, platform.apiUrl, {
      email: quickEmail,
      givenName: 'Quinn',
    });
    const resold = await buy(platform.apiUrl, quickHeaders, late.onSale, 2);
    expect(resold.status).toBe(201);
    const quick = (await resold.json()) as Order;
    await payOrder(platform.apiUrl, quick);
    succeededAtProvider.push(paidAtProvider(late.order), paidAtProvider(quick));

    expect(await reconcile()).toMatchObject({ repaired: 1, unrepaired: 0, flagged: 0 });
    const refunded = await orderOf(late.headers, late.order.id);
    expect(refunded).toMatchObject({ status: 'cancelled', refund: { amount: 7000, status: 'succeeded' } });
    expect(refunded.tickets).toEqual([]);
    expect((await orderOf(quickHeaders, quick.id)).status).toBe('confirmed');
    const [email] = await emailsFor(platform.mailUrl, late.email, 1);
    expect(email?.text).toContain('Your payment arrived after the time your seats were held');

    expect(await reconcile()).toMatchObject({ repaired: 0, unrepaired: 0, flagged: 0 });
    expect(await orderOf(late.headers, late.order.id)).toEqual(refunded);
    await emailsDrained();
    expect(await emailsFor(platform.mailUrl, late.email, 1)).toHaveLength(1);
  });

  it('flags a confirmed paid order the provider has no payment for, and a payment naming no order', async () => {
    const { headers, order } = await heldOrder('No payment at the provider');
    await payOrder(platform.apiUrl, order);
    const stranger = randomUUID().replaceAll('-', '');
    succeededAtProvider.push({
      paymentId: `cs_test_${stranger}`,
      orderId: randomUUID(),
      amount: 100,
      currency: 'EUR',
    });

    expect(await reconcile()).toMatchObject({
      checked: succeededAtProvider.length,
      repaired: 0,
      unrepaired: 1,
      flagged: 1,
    });
    expect((await orderOf(headers, order.id)).status).toBe('confirmed');
  });
});

describe('the Stripe provider', () => {
  it("lists the window's completed Checkout Sessions through the SDK in a shape Stripe accepts", async () => {
    const stripe = await startStripeMock();
    const saved = process.env.STRIPE_API_URL;
    process.env.STRIPE_API_URL = stripe.url;
    try {
      const listed = await stripeProvider(
        stripeClient('sk_test_123'),
        (id) => `http://localhost:3000/orders/${id}`,
      ).recentPayments(new Date(Date.now() - 48 * 3_600_000));
      expect(Array.isArray(listed)).toBe(true);
      expect(stripe.requests.filter((request) => request.path === '/v1/checkout/sessions')).toEqual([
        expect.objectContaining({ method: 'GET' }),
      ]);
    } finally {
      if (saved === undefined) delete process.env.STRIPE_API_URL;
      else process.env.STRIPE_API_URL = saved;
      await stripe.stop();
    }
  });
});
