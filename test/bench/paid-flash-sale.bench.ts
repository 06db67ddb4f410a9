// The flash sale with payment: buyers for paid seats, where a share of those who get a hold never pay. Through the
// local runtime (`npm run dev` in a child process) with its payments going to Stripe's SDK against stripe-mock, and
// the payments themselves arriving as Stripe-format webhooks signed as Stripe signs them (as the tests send them).
// The event's hold lasts seconds (its per-event hold time, set on tickets' copy of the event), so the abandoned holds
// run out during the bench and the buyers who were told sold out try again and take the freed seats. Exactness is read
// back from the tickets database: every seat paid and confirmed once, none oversold, no money taken without tickets,
// no order paid twice.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { request } from 'undici';
import { signedPaymentEvent } from '../../local/payments-page';
import { type StripeMock, startStripeMock } from '../support/stripe-mock';
import { type BenchPlatform, withBenchPlatform } from './dev-process';
import { latency, purchase, reaches, seedEvent } from './flash-sale.bench';
import type { BenchSection, Log, SectionOutcome } from './section';

const BUYERS = Number(process.env.BENCH_PAID_BUYERS ?? 2_000);
const SEATS = Number(process.env.BENCH_PAID_SEATS ?? 500);
/** Share of the buyers who get a hold and never pay. */
const ABANDON_SHARE = Number(process.env.BENCH_PAID_ABANDON ?? 0.3);
/** The event's hold time: seconds, so the abandoned holds run out while the bench waits. */
const HOLD_SECONDS = Number(process.env.BENCH_PAID_HOLD_SECONDS ?? 15);
const ARRIVAL_RATE = Number(process.env.BENCH_PAID_ARRIVAL_RATE ?? 1_000);
const PRICE = 4_500;
/** As for the free flash sale: buyers answered at the rate they arrive, and the purchase call's p99. */
const TARGETS = { attemptsPerSecondMin: 1_000, p99MsMax: 250 };

/** Rounds of buyers: the first sale, then those without a seat trying again after unpaid holds ran out. */
const MAX_WAVES = 4;

interface HeldOrder {
  id: string;
  status: string;
  total: number;
  currency: string;
  expiresAt: string | null;
  payment: { paymentId: string } | null;
}

/**
 * One wave of buyers arriving at ARRIVAL_RATE. A buyer who gets a hold pays at once, unless `walksAway` says this hold
 * (counted in the order holds are answered) is one never paid.
 */
async function wave(
  platform: BenchPlatform,
  tokens: string[],
  sale: { eventId: string; tierId: string; secret: string },
  walksAway: (holdIndex: number) => boolean,
) {
  const started = performance.now();
  let holdsSoFar = 0;
  const abandoned: HeldOrder[] = [];
  const webhooks: number[] = [];
  const pending = [];
  for (const [index, token] of tokens.entries()) {
    const wait = started + (index * 1000) / ARRIVAL_RATE - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const at = performance.now() - started;
    pending.push(
      purchase(platform.apiUrl, token, sale.eventId, sale.tierId, {
        keepOrder: true,
        retryUnavailable: true,
      }).then(async (attempt) => {
        const order = attempt.order as HeldOrder | undefined;
        if (order) {
          if (walksAway(holdsSoFar++)) abandoned.push(order);
          else webhooks.push(await pay(platform.apiUrl, order, sale.secret));
        }
        return { ...attempt, at, token };
      }),
    );
  }
  const attempts = await Promise.all(pending);
  const holds = attempts.filter((attempt) => attempt.order).length;
  // Holds per second while the seats lasted: from the first arrival to the last hold's answer.
  const holding =
    Math.max(0, ...attempts.filter((attempt) => attempt.order).map((attempt) => attempt.at + attempt.ms)) /
    1000;
  return {
    attempts,
    holds,
    abandoned,
    webhooks,
    seconds: (performance.now() - started) / 1000,
    holdsPerSecond: holding > 0 ? Math.round(holds / holding) : 0,
  };
}

/**
 * The provider's word that an order's payment succeeded: a signed webhook, redelivered as Stripe does (the same
 * event) until it is answered 200, a few times at most.
 */
async function pay(apiUrl: string, order: HeldOrder, secret: string): Promise<number> {
  const { payload, signature } = signedPaymentEvent(
    {
      orderId: order.id,
      paymentId: order.payment?.paymentId ?? '',
      amount: order.total,
      currency: order.currency,
      succeeded: true,
    },
    secret,
  );
  let status = 0;
  for (let delivery = 0; delivery < 4 && status !== 200; delivery += 1) {
    if (delivery > 0) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** delivery));
    try {
      const response = await request(`${apiUrl}/v1/payments/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
      });
      await response.body.arrayBuffer();
      status = response.statusCode;
    } catch {
      status = 0;
    }
  }
  return status;
}

const paidSeats = async (db: pg.Client, eventId: string) =>
  (
    await db.query<{ n: number }>(
      `SELECT coalesce(sum(i.quantity), 0)::int AS n FROM orders o JOIN order_items i ON i.order_id = o.id
       WHERE o.event_id = $1 AND o.status = 'confirmed' AND o.paid_at IS NOT NULL`,
      [eventId],
    )
  ).rows[0]?.n ?? 0;

/** When the last hold still awaiting payment runs out (epoch ms; 0 when none). */
const lastHoldExpiry = async (db: pg.Client, eventId: string) =>
  Number(
    (
      await db.query<{ at: string | null }>(
        `SELECT (extract(epoch FROM max(expires_at)) * 1000)::bigint AS at FROM orders
         WHERE event_id = $1 AND status = 'awaiting_payment'`,
        [eventId],
      )
    ).rows[0]?.at ?? 0,
  );

/**
 * The payments asked of Stripe, by their idempotency keys (`order-<order id>`, so a retried purchase asks for the same
 * one): how many, how many name no order of the sale (a second payment would), and how many never reached their order
 * (the purchase's answer failed after Stripe answered: an unpaid intent nobody holds the secret of).
 */
async function stripePayments(db: pg.Client, eventId: string, keys: (string | undefined)[]) {
  const { rows } = await db.query<{ id: string; payment_id: string | null }>(
    'SELECT id, payment_id FROM orders WHERE event_id = $1',
    [eventId],
  );
  const distinct = new Set(keys);
  const orders = new Set(rows.map((row) => `order-${row.id}`));
  return {
    paymentsCreatedAtStripe: distinct.size,
    paymentsWithoutOrder: [...distinct].filter((key) => !key || !orders.has(key)).length,
    paymentsNotAttached: distinct.size - rows.filter((row) => row.payment_id !== null).length,
  };
}

/** What the tickets database says of the sale once it is over. */
async function tally(db: pg.Client, eventId: string, tierId: string) {
  const { rows } = await db.query(
    `SELECT
       (SELECT sold FROM tier_stock WHERE tier_id = $2) AS sold,
       (SELECT count(*)::int FROM orders WHERE event_id = $1 AND status = 'confirmed' AND paid_at IS NOT NULL) AS paid_confirmed,
       (SELECT count(*)::int FROM tickets t JOIN orders o ON o.id = t.order_id
          WHERE o.event_id = $1 AND o.status = 'confirmed' AND t.status = 'valid') AS tickets,
       -- Money taken with no ticket to show for it and no refund under way.
       (SELECT count(*)::int FROM orders o WHERE o.event_id = $1 AND o.paid_at IS NOT NULL AND (
          (o.status = 'confirmed' AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.id))
          OR (o.status <> 'confirmed' AND o.refund_status IS NULL))) AS paid_without_tickets,
       -- An order confirmed by more than one payment event.
       (SELECT count(*)::int FROM (SELECT e.order_id FROM payment_events e JOIN orders o ON o.id = e.order_id
          WHERE o.event_id = $1 AND e.outcome IN ('confirmed', 'confirmed-late')
          GROUP BY e.order_id HAVING count(*) > 1) d) AS duplicate_payments,
       (SELECT count(*)::int FROM orders WHERE event_id = $1 AND payment_id IS NOT NULL) AS with_payment,
       (SELECT count(*)::int FROM orders WHERE event_id = $1 AND status = 'expired') AS expired_holds,
       (SELECT count(*)::int FROM orders WHERE event_id = $1 AND status = 'awaiting_payment') AS still_held,
       (SELECT count(*)::int FROM orders WHERE event_id = $1 AND refund_status IS NOT NULL) AS refunded`,
    [eventId, tierId],
  );
  const row = rows[0] as Record<string, number>;
  return {
    seatsSold: row.sold ?? 0,
    paidAndConfirmed: row.paid_confirmed ?? 0,
    validTickets: row.tickets ?? 0,
    oversold: Math.max(0, (row.sold ?? 0) - SEATS),
    paidWithoutTickets: row.paid_without_tickets ?? 0,
    duplicatePayments: row.duplicate_payments ?? 0,
    ordersWithPayment: row.with_payment ?? 0,
    expiredHolds: row.expired_holds ?? 0,
    stillHeld: row.still_held ?? 0,
    refunded: row.refunded ?? 0,
  };
}

async function paidSale(platform: BenchPlatform, stripe: StripeMock, secret: string, log: Log) {
  const db = new pg.Client({ connectionString: platform.databaseUrl('tickets') });
  await db.connect();
  try {
    const { eventId, tierId } = await seedEvent(db, SEATS, { price: PRICE });
    await db.query('UPDATE inventories SET hold_seconds = $2 WHERE event_id = $1', [eventId, HOLD_SECONDS]);
    const buyers = await Promise.all(Array.from({ length: BUYERS }, () => platform.sign(randomUUID())));
    const sale = { eventId, tierId, secret };

    log(
      `paid flash sale: ${BUYERS} buyers for ${SEATS} paid seats, ${ABANDON_SHARE * 100}% of holds never paid`,
    );
    // Every n-th hold is walked away from: an even spread over the sale, the same share on every run.
    const first = await wave(
      platform,
      buyers,
      sale,
      (index) => Math.floor((index + 1) * ABANDON_SHARE) > Math.floor(index * ABANDON_SHARE),
    );
    const waves = [first];
    // The buyers without a seat try again once the unpaid holds have run out (the event's hold time), until every
    // seat is paid or MAX_WAVES rounds were tried; nobody walks away any more.
    for (let last = first; waves.length < MAX_WAVES; ) {
      const paid = await paidSeats(db, eventId);
      if (paid >= SEATS) break;
      const heldUntil = Math.max(
        await lastHoldExpiry(db, eventId),
        ...last.abandoned.map((order) => Date.parse(order.expiresAt ?? '')),
      );
      log(`paid flash sale: ${paid} seats paid; the others try again when the unpaid holds have run out`);
      await reaches(async () => (Date.now() > heldUntil ? 1 : 0), 1, (HOLD_SECONDS + 60) * 1000);
      const again = last.attempts.filter((attempt) => !attempt.order).map((attempt) => attempt.token);
      last = await wave(platform, again, sale, () => false);
      waves.push(last);
    }

    const attempts = waves.flatMap((each) => each.attempts);
    const count = (predicate: (status: number) => boolean) =>
      attempts.filter((attempt) => predicate(attempt.status)).length;
    const webhooks = waves.flatMap((each) => each.webhooks);
    // Payments asked of Stripe, by the idempotency key of their order: one per hold, however often retried.
    const creates = stripe.requests.filter(
      (entry) => entry.method === 'POST' && entry.path === '/v1/payment_intents',
    );
    return {
      buyers: BUYERS,
      seats: SEATS,
      holdSeconds: HOLD_SECONDS,
      waves: waves.map((each) => ({
        buyers: each.attempts.length,
        seconds: Math.round(each.seconds * 10) / 10,
        attemptsPerSecond: Math.round(each.attempts.length / each.seconds),
        holds: each.holds,
        holdsPerSecond: each.holdsPerSecond,
        abandoned: each.abandoned.length,
      })),
      holds: waves.reduce((sum, each) => sum + each.holds, 0),
      purchase: latency(attempts.map((attempt) => attempt.ms)),
      purchaseRetries: attempts.reduce((sum, attempt) => sum + attempt.networkRetries, 0),
      status5xx: count((status) => status >= 500),
      networkErrors: count((status) => status === 0),
      webhooksNot200: webhooks.filter((status) => status !== 200).length,
      ...(await stripePayments(
        db,
        eventId,
        creates.map((entry) => entry.idempotencyKey),
      )),
      ...(await tally(db, eventId, tierId)),
    };
  } finally {
    await db.end();
  }
}

export const paidFlashSaleSection: BenchSection = {
  name: 'paidFlashSale',
  description: `flash sale with payment: ${BUYERS} buyers for ${SEATS} paid seats, ${ABANDON_SHARE * 100}% of holds abandoned and resold after a ${HOLD_SECONDS} s hold (stripe-mock, signed webhooks)`,
  async run(log): Promise<SectionOutcome> {
    const stripe = await startStripeMock();
    const secret = `whsec_${randomUUID().replaceAll('-', '')}`;
    try {
      return await withBenchPlatform(
        {
          label: 'paidFlashSale',
          log,
          connections: BUYERS,
          ephemeral: true,
          tuned: true,
          env: {
            STRIPE_SECRET_KEY: 'sk_test_bench',
            STRIPE_WEBHOOK_SECRET: secret,
            STRIPE_API_URL: stripe.url,
          },
        },
        async (platform) => {
          const sale = await paidSale(platform, stripe, secret, log);
          const exact =
            sale.paidAndConfirmed === SEATS &&
            sale.validTickets === SEATS &&
            sale.seatsSold === SEATS &&
            sale.oversold === 0 &&
            sale.paidWithoutTickets === 0 &&
            sale.duplicatePayments === 0 &&
            sale.stillHeld === 0 &&
            sale.paymentsWithoutOrder === 0;
          const missed = [
            !exact && 'not exact',
            sale.status5xx + sale.networkErrors > 0 &&
              `${sale.status5xx + sale.networkErrors} purchases failed`,
            sale.webhooksNot200 > 0 && `${sale.webhooksNot200} payments never accepted`,
            (sale.waves[0]?.attemptsPerSecond ?? 0) < TARGETS.attemptsPerSecondMin * 0.99 &&
              `${sale.waves[0]?.attemptsPerSecond ?? 0} attempts/s`,
            sale.purchase.p99Ms > TARGETS.p99MsMax && `purchase p99 ${sale.purchase.p99Ms} ms`,
          ].filter((entry): entry is string => typeof entry === 'string');
          log(
            `paid flash sale: ${sale.paidAndConfirmed} paid and confirmed, ${sale.oversold} oversold, ` +
              `${sale.waves[0]?.holdsPerSecond ?? 0} holds/s, purchase p99 ${sale.purchase.p99Ms} ms`,
          );
          return {
            summary: {
              allMeetTargets: missed.length === 0,
              exact,
              paidAndConfirmed: sale.paidAndConfirmed,
              oversold: sale.oversold,
              paidWithoutTickets: sale.paidWithoutTickets,
              duplicatePayments: sale.duplicatePayments + sale.paymentsWithoutOrder,
              holdsPerSecond: sale.waves[0]?.holdsPerSecond ?? 0,
              purchaseP99Ms: sale.purchase.p99Ms,
              missedTargets: missed,
            },
            details: { targets: TARGETS, ...sale },
            failed: false,
          };
        },
      );
    } finally {
      await stripe.stop();
    }
  },
};
