// Paid checkout end to end: the Stripe SDK against stripe-mock for the payments and refunds the platform asks for,
// webhooks signed with the SDK's test-header helper, real PostgreSQL, the emulator's queues and the mail catcher.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as sweepHolds } from '../../../functions/tickets/expire-holds.schedule';
import type { Platform } from '../../../local/platform';
import { databasePool } from '../../support/db';
import { type PayableOrder, paymentWebhook, payOrder, postWebhook } from '../../support/payments';
import { withIssuedPlatform } from '../../support/platform';
import { buyerHeaders, type OnSale, putOnSale } from '../../support/purchases';
import { waitForQueueDrained } from '../../support/sqs';
import { payThroughStripeMock, type StripeMock, startStripeMock } from '../../support/stripe-mock';
import type { TestIssuer } from '../../support/tokens';
import { emailsFor } from '../notifications/support';

let WEBHOOK_SECRET: string;
let restoreEnv: () => void = () => undefined;

let platform: Platform;
let stripe: StripeMock;
let issuer: TestIssuer;
let db: pg.Pool;

beforeAll(async () => {
  stripe = await startStripeMock();
  ({ webhookSecret: WEBHOOK_SECRET, restore: restoreEnv } = payThroughStripeMock(stripe));
});
afterAll(async () => {
  await stripe?.stop();
  restoreEnv();
});
withIssuedPlatform({ schedules: false }, (started) => {
  ({ platform, issuer } = started);
  db = databasePool(platform.databaseUrls.tickets);
});
afterAll(async () => {
  await db?.end();
});

type Order = PayableOrder & {
  expiresAt: string | null;
  payment: { provider: string; paymentId: string; checkoutUrl: string | null } | null;
  tickets: { code: string }[];
  refund: { amount: number; status: string } | null;
};

const show = (name: string) => ({
  name,
  startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  endsAt: new Date(Date.now() + 7 * 86_400_000 + 3 * 3_600_000).toISOString(),
  timezone: 'Europe/Paris',
  place: 'Olympia, Paris, FR',
});

async function buyer(name = 'Ines') {
  const email = `pay-${randomUUID()}@example.com`;
  return { email, headers: await buyerHeaders(issuer, platform.apiUrl, { email, givenName: name }) };
}

async function buy(headers: Record<string, string>, onSale: OnSale, quantity: number, key = randomUUID()) {
  const response = await fetch(`${platform.apiUrl}/v1/events/${onSale.eventId}/orders`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': key },
    body: JSON.stringify({ items: [{ tierId: onSale.tierId, quantity }] }),
  });
  return { status: response.status, order: (await response.json()) as Order };
}

const orderOf = async (headers: Record<string, string>, id: string) =>
  (await (await fetch(`${platform.apiUrl}/v1/orders/${id}`, { headers })).json()) as Order;

const remaining = async (eventId: string) =>
  (
    (await (await fetch(`${platform.apiUrl}/v1/events/${eventId}/availability`)).json()) as {
      remaining: number;
    }
  ).remaining;

/** Makes a hold run out now, as waiting 15 minutes would. */
const expireHold = (orderId: string) =>
  db.query(`UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1`, [orderId]);

const emailsDrained = () =>
  waitForQueueDrained(platform.awsEndpoint, platform.queueUrls['notifications-ticket-events'] ?? '', {
    timeoutMs: 45_000,
  });

describe('a paid purchase', () => {
  it('holds the seats until the payment webhook confirms it with its tickets and one email', async () => {
    const onSale = await putOnSale(show('Paid show'), {
      name: 'Floor',
      price: 4500,
      currency: 'EUR',
      quantity: 10,
    });
    const ines = await buyer();

    const { status, order } = await buy(ines.headers, onSale, 2);
    expect(status).toBe(201);
    expect(order).toMatchObject({ status: 'awaiting_payment', total: 9000, currency: 'EUR', tickets: [] });
    // A Stripe Checkout Session: the buyer pays on Stripe's page, reached through checkoutUrl.
    expect(order.payment).toMatchObject({
      provider: 'stripe',
      paymentId: expect.stringMatching(/^cs_/),
      checkoutUrl: expect.stringMatching(/^https:\/\//),
    });
    // The hold is answered as the order reads back.
    expect(await orderOf(ines.headers, order.id)).toEqual(order);
    const holdMinutes = (new Date(order.expiresAt ?? 0).getTime() - Date.now()) / 60_000;
    expect(holdMinutes).toBeGreaterThan(14);
    expect(holdMinutes).toBeLessThanOrEqual(15);
    await expect.poll(() => remaining(onSale.eventId), { timeout: 10_000 }).toBe(8);

    await payOrder(platform.apiUrl, order);
    const paid = await orderOf(ines.headers, order.id);
    expect(paid.status).toBe('confirmed');
    expect(paid.tickets).toHaveLength(2);
    expect(paid.payment).toBeNull();
    const [confirmation] = await emailsFor(platform.mailUrl, ines.email, 1);
    for (const ticket of paid.tickets) expect(confirmation?.text).toContain(ticket.code);
    await emailsDrained();
    expect(await emailsFor(platform.mailUrl, ines.email, 1)).toHaveLength(1);
  });

  it('asks the provider for one payment however often the purchase is retried with the same key', async () => {
    const onSale = await putOnSale(show('Retried'), {
      name: 'Floor',
      price: 1000,
      currency: 'EUR',
      quantity: 10,
    });
    const { headers } = await buyer();
    const key = randomUUID();
    const first = await buy(headers, onSale, 1, key);
    const second = await buy(headers, onSale, 1, key);
    expect([first.status, second.status]).toEqual([201, 201]);
    // The retry reads the order back; the first answer, made without reading it, says the same.
    expect(second.order).toEqual(first.order);
    const creates = stripe.requests.filter(
      (request) => request.method === 'POST' && request.path === '/v1/checkout/sessions',
    );
    expect(creates.filter((request) => request.idempotencyKey === `order-${first.order.id}`)).toHaveLength(1);
    const rows = await db.query('SELECT count(*)::int AS n FROM orders WHERE event_id = $1', [
      onSale.eventId,
    ]);
    expect(rows.rows[0]?.n).toBe(1);
  });
});

describe('the payment webhook', () => {
  it('changes nothing on a replayed event or a failure that arrives after the success', async () => {
    const onSale = await putOnSale(show('Replayed'), {
      name: 'Floor',
      price: 2000,
      currency: 'EUR',
      quantity: 5,
    });
    const ana = await buyer('Ana');
    const { order } = await buy(ana.headers, onSale, 1);
    const succeeded = paymentWebhook(order, { secret: WEBHOOK_SECRET });
    expect(await postWebhook(platform.apiUrl, succeeded.payload, succeeded.signature)).toMatchObject({
      status: 200,
      body: { outcome: 'confirmed' },
    });
    const confirmed = await orderOf(ana.headers, order.id);

    const replay = await postWebhook(platform.apiUrl, succeeded.payload, succeeded.signature);
    expect(replay).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    const failedLate = paymentWebhook(order, { secret: WEBHOOK_SECRET, succeeded: false });
    expect(await postWebhook(platform.apiUrl, failedLate.payload, failedLate.signature)).toMatchObject({
      status: 200,
      body: { outcome: 'unchanged' },
    });

    expect(await orderOf(ana.headers, order.id)).toEqual(confirmed);
    expect(await remaining(onSale.eventId)).toBe(4);
    await emailsFor(platform.mailUrl, ana.email, 1);
    await emailsDrained();
    expect(await emailsFor(platform.mailUrl, ana.email, 1)).toHaveLength(1);
  });

  it('answers 400 to a bad signature and changes nothing', async () => {
    const onSale = await putOnSale(show('Forged'), {
      name: 'Floor',
      price: 2000,
      currency: 'EUR',
      quantity: 5,
    });
    const { headers } = await buyer();
    const { order } = await buy(headers, onSale, 1);
    const genuine = paymentWebhook(order, { secret: WEBHOOK_SECRET });
    const tampered = genuine.payload.replace(':2000,', ':1,');
    expect(tampered, 'the amount was changed').not.toBe(genuine.payload);
    const forged = paymentWebhook(order, { secret: 'whsec_not_ours' });

    expect((await postWebhook(platform.apiUrl, tampered, genuine.signature)).status).toBe(400);
    expect((await postWebhook(platform.apiUrl, forged.payload, forged.signature)).status).toBe(400);
    expect((await postWebhook(platform.apiUrl, genuine.payload, 'not a signature')).status).toBe(400);
    expect((await orderOf(headers, order.id)).status).toBe('awaiting_payment');
    const inbox = await db.query('SELECT count(*)::int AS n FROM payment_events WHERE order_id = $1', [
      order.id,
    ]);
    expect(inbox.rows[0]?.n).toBe(0);
  });

  it('releases the hold when the card is declined', async () => {
    const onSale = await putOnSale(show('Declined'), {
      name: 'Floor',
      price: 2000,
      currency: 'EUR',
      quantity: 3,
    });
    const { headers } = await buyer();
    const { order } = await buy(headers, onSale, 3);
    await expect.poll(() => remaining(onSale.eventId), { timeout: 10_000 }).toBe(0);
    await payOrder(platform.apiUrl, order, 'declined');
    expect((await orderOf(headers, order.id)).status).toBe('expired');
    await expect.poll(() => remaining(onSale.eventId), { timeout: 10_000 }).toBe(3);
  });
});

describe('holds that run out', () => {
  it('are free seats for every reader and buyer at once, and the sweep releases them', async () => {
    const onSale = await putOnSale(show('Expiring'), {
      name: 'Floor',
      price: 2000,
      currency: 'EUR',
      quantity: 4,
    });
    const { headers } = await buyer();
    const { order } = await buy(headers, onSale, 4);
    await expect.poll(() => remaining(onSale.eventId), { timeout: 10_000 }).toBe(0);
    await expireHold(order.id);
    await expect.poll(() => remaining(onSale.eventId), { timeout: 10_000 }).toBe(4);

    await sweepHolds();
    expect((await orderOf(headers, order.id)).status).toBe('expired');
    const slots = await db.query(
      'SELECT coalesce(sum(s.sold), 0)::int AS sold FROM tier_slots s WHERE s.tier_id = $1',
      [onSale.tierId],
    );
    expect(slots.rows[0]?.sold).toBe(0);

    // Its Checkout Session is expired at Stripe, once, so the buyer can no longer pay for the released seats.
    const cancels = () =>
      stripe.requests.filter(
        (request) =>
          request.method === 'POST' &&
          request.path === `/v1/checkout/sessions/${order.payment?.paymentId}/expire`,
      ).length;
    expect(cancels()).toBe(1);
    await sweepHolds();
    expect(cancels()).toBe(1);
  });

  it('refund a payment that comes after the seats were sold to someone else, and tell the buyer', async () => {
    const onSale = await putOnSale(show('Late payer'), {
      name: 'Floor',
      price: 3000,
      currency: 'EUR',
      quantity: 2,
    });
    const late = await buyer('Lea');
    const quick = await buyer('Quinn');
    const { order: held } = await buy(late.headers, onSale, 2);
    await expireHold(held.id);

    const resold = await buy(quick.headers, onSale, 2);
    expect(resold.status).toBe(201);
    await payOrder(platform.apiUrl, resold.order);
    expect((await orderOf(quick.headers, resold.order.id)).status).toBe('confirmed');

    const payment = paymentWebhook(held, { secret: WEBHOOK_SECRET });
    expect(await postWebhook(platform.apiUrl, payment.payload, payment.signature)).toMatchObject({
      status: 200,
      body: { outcome: 'refunded' },
    });
    const refunded = await orderOf(late.headers, held.id);
    expect(refunded).toMatchObject({ status: 'cancelled', refund: { amount: 6000, status: 'succeeded' } });
    expect(refunded.tickets).toEqual([]);
    expect(
      stripe.requests.filter(
        (request) => request.path === '/v1/refunds' && request.idempotencyKey === `refund-${held.id}`,
      ),
    ).toHaveLength(1);
    const [email] = await emailsFor(platform.mailUrl, late.email, 1);
    expect(email?.text).toContain('Your payment arrived after the time your seats were held');
    expect(email?.text).toContain('€60.00');
    const sold = await db.query(
      `SELECT count(*)::int AS n FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.event_id = $1 AND t.status = 'valid'`,
      [onSale.eventId],
    );
    expect(sold.rows[0]?.n).toBe(2);
  });

  it('confirm a payment that comes after expiry while the seats are still free', async () => {
    const onSale = await putOnSale(show('Late, lucky'), {
      name: 'Floor',
      price: 3000,
      currency: 'EUR',
      quantity: 2,
    });
    const { headers } = await buyer();
    const { order } = await buy(headers, onSale, 2);
    await expireHold(order.id);
    await sweepHolds();
    expect((await orderOf(headers, order.id)).status).toBe('expired');
    await payOrder(platform.apiUrl, { ...order, status: 'awaiting_payment' });
    const paid = await orderOf(headers, order.id);
    expect(paid.status).toBe('confirmed');
    expect(paid.tickets).toHaveLength(2);
    await expect.poll(() => remaining(onSale.eventId), { timeout: 10_000 }).toBe(0);
  });
});

describe('a flash sale with payment', () => {
  it('holds exactly the seats there are, and resells exactly the seats of the holds that ran out', async () => {
    const onSale = await putOnSale(show('Paid flash sale'), {
      name: 'Floor',
      price: 1500,
      currency: 'EUR',
      quantity: 20,
    });
    const buyers = await Promise.all(Array.from({ length: 60 }, () => buyer()));
    const first = await Promise.all(buyers.map((b) => buy(b.headers, onSale, 1)));
    const held = first.filter((answer) => answer.status === 201);
    expect(held).toHaveLength(20);
    expect(first.filter((answer) => answer.status === 409)).toHaveLength(40);

    // Five buyers never pay; the rest do.
    for (const { order } of held.slice(0, 5)) await expireHold(order.id);
    await Promise.all(held.slice(5).map(({ order }) => payOrder(platform.apiUrl, order)));

    const latecomers = await Promise.all(Array.from({ length: 30 }, () => buyer()));
    const second = await Promise.all(latecomers.map((b) => buy(b.headers, onSale, 1)));
    const resold = second.filter((answer) => answer.status === 201);
    expect(resold).toHaveLength(5);
    await Promise.all(resold.map(({ order }) => payOrder(platform.apiUrl, order)));

    const figures = await db.query(
      `SELECT (SELECT sum(sold)::int FROM tier_slots WHERE tier_id = $2) AS taken,
              (SELECT count(*)::int FROM orders WHERE event_id = $1 AND status = 'confirmed') AS confirmed,
              (SELECT count(*)::int FROM orders WHERE event_id = $1 AND status = 'expired') AS expired,
              (SELECT count(*)::int FROM tickets t JOIN orders o ON o.id = t.order_id
                WHERE o.event_id = $1 AND t.status = 'valid') AS tickets`,
      [onSale.eventId, onSale.tierId],
    );
    expect(figures.rows[0]).toEqual({ taken: 20, confirmed: 20, expired: 5, tickets: 20 });
  });
});

describe('an organizer cancelling an order', () => {
  it('refunds what was paid through Stripe and tells the buyer; nobody else may', async () => {
    const onSale = await putOnSale(show('Organizer cancels'), {
      name: 'Floor',
      price: 2500,
      currency: 'EUR',
      quantity: 5,
    });
    const ola = await buyer('Ola');
    const { order } = await buy(ola.headers, onSale, 2);
    await payOrder(platform.apiUrl, order);
    await emailsFor(platform.mailUrl, ola.email, 1);
    const owner = await db.query<{ organizer_id: string }>(
      'SELECT organizer_id FROM inventories WHERE event_id = $1',
      [onSale.eventId],
    );
    const as = async (userId: string) => ({
      authorization: `Bearer ${await issuer.sign({
        iss: platform.apiUrl,
        aud: 'ticketorleaveit-api',
        sub: userId,
        client_id: 'web',
        scope: 'api',
        email: `org-${userId}@example.com`,
      })}`,
    });
    const cancel = async (headers: Record<string, string>) =>
      fetch(`${platform.apiUrl}/v1/organizer/orders/${order.id}/cancel`, { method: 'POST', headers });

    expect((await cancel(await as(randomUUID()))).status).toBe(404);
    expect((await cancel(ola.headers)).status).toBe(404);
    const cancelled = await cancel(await as(owner.rows[0]?.organizer_id ?? ''));
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({
      status: 'cancelled',
      refund: { amount: 5000, status: 'succeeded' },
    });
    expect(
      stripe.requests.filter(
        (request) => request.path === '/v1/refunds' && request.idempotencyKey === `refund-${order.id}`,
      ),
    ).toHaveLength(1);
    const emails = await emailsFor(platform.mailUrl, ola.email, 2);
    const cancellation = emails.find((email) => email.subject.includes('cancelled'));
    expect(cancellation?.text).toContain('the organizer has cancelled your order');
    expect(cancellation?.text).toContain('€50.00');
    await expect.poll(() => remaining(onSale.eventId), { timeout: 10_000 }).toBe(5);
  });
});
