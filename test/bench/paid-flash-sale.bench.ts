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
import { parseServerTiming, type StageTiming } from '../../layers/common/timings';
import { signedPaymentEvent } from '../../local/payments-page';
import { type StripeMock, startStripeMock } from '../support/stripe-mock';
import { type BenchPlatform, withBenchPlatform } from './dev-process';
import { drained, latency, reaches, seedEvent, stageBreakdown } from './flash-sale.bench';
import type { BenchSection, Log, SectionOutcome } from './section';

const BUYERS = Number(process.env.BENCH_PAID_BUYERS ?? 2_000);
const SEATS = Number(process.env.BENCH_PAID_SEATS ?? 500);
/** Share of the buyers who get a hold and never pay. */
const ABANDON_SHARE = Number(process.env.BENCH_PAID_ABANDON ?? 0.3);
/** The event's hold time: seconds, so the abandoned holds run out while the bench waits. */
const HOLD_SECONDS = Number(process.env.BENCH_PAID_HOLD_SECONDS ?? 15);
const ARRIVAL_RATE = Number(process.env.BENCH_PAID_ARRIVAL_RATE ?? 1_000);
/**
 * Keep-alive connections all buyers' requests share (purchases and webhooks): browsers reach API Gateway through its
 * fleet, not each with a socket of its own to one host, so the bench does not open one per buyer; a socket per buyer
 * (2,000) would be refused past the local gateway's GATEWAY_MAX_CONNECTIONS (512) and measure that cap instead.
 */
const CONNECTIONS = Number(process.env.BENCH_PAID_CONNECTIONS ?? 256);
const PRICE = 4_500;
/** As for the free flash sale: buyers answered at the rate they arrive, and the purchase call's p99. */
const TARGETS = { attemptsPerSecondMin: 1_000, p99MsMax: 250 };
/**
 * The unjudged sale that warms a just-started runtime up first (every hold paid, on an event of its own): its first
 * thousand-odd purchases run code V8 has not optimized yet and open the pools' connections as they go.
 */
const WARM_UP = { buyers: Number(process.env.BENCH_PAID_WARM_UP_BUYERS ?? 800), seats: 200 };

/**
 * Rounds of buyers at most: the first sale, then those without a seat trying again after the unpaid holds ran out
 * (a buyer whose purchase failed for good tries again in the next round, with a new key, as a person would).
 */
const MAX_WAVES = Number(process.env.BENCH_PAID_MAX_WAVES ?? 12);
/** How long a buyer's client keeps retrying one purchase (with its one Idempotency-Key) before giving up. */
const RETRY_BUDGET_MS = Number(process.env.BENCH_PAID_RETRY_SECONDS ?? 60) * 1000;
/** How long a client waits for an answer before it calls the request failed and retries it. */
const REQUEST_TIMEOUT_MS = 15_000;
/** How long the provider keeps redelivering a payment's webhook (Stripe: days; the bench waits this long at most). */
const WEBHOOK_BUDGET_MS = 120_000;
/** The Stripe requests that create an order's payment: a Checkout Session (or, before those, a Payment Intent). */
const PAYMENT_CREATES = ['/v1/checkout/sessions', '/v1/payment_intents'];

interface HeldOrder {
  id: string;
  status: string;
  total: number;
  currency: string;
  expiresAt: string | null;
  payment: { paymentId: string } | null;
}

/** Why a client tried a request again. */
type RetryCause =
  | 'unavailable'
  | 'serverError'
  | 'tooManyRequests'
  | 'inProgress'
  | 'contended'
  | 'timeout'
  | 'network'
  | 'unauthorized';

interface Purchase {
  /** The order of the 201 answer (a hold awaiting payment). */
  order?: HeldOrder;
  /** The last answer's status (0: no answer, a network error or time-out). */
  status: number;
  /** The purchase as the buyer lived it: first request to last answer, retries and their waits included. */
  ms: number;
  /** Each request's own latency. */
  requestMs: number[];
  /** The answered requests: status, latency and the runtime's Server-Timing stages. */
  answers: { status: number; ms: number; stages: Record<string, StageTiming> }[];
  retries: Partial<Record<RetryCause, number>>;
  /** The client ran out of its retry budget while the answer still said to retry. */
  gaveUp: boolean;
  /** When the buyer arrived, from the first arrival of the wave (ms). */
  at: number;
  userId: string;
}

const PROBLEM_TO_RETRY: Record<string, RetryCause> = {
  'idempotency-key-in-use': 'inProgress',
  'seats-contended': 'contended',
};

/** Whether an answer asks the client to try the same request again, and why. */
function retryCauseOf(status: number, body: string): RetryCause | undefined {
  if (status === 429) return 'tooManyRequests';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  // Safe to retry under the same Idempotency-Key; counted apart, as a 500 is the server's fault, not load shedding.
  if (status >= 500) return 'serverError';
  if (status !== 409) return undefined;
  try {
    const type = String((JSON.parse(body) as { type?: string }).type ?? '');
    return PROBLEM_TO_RETRY[type.slice(type.lastIndexOf('/') + 1)];
  } catch {
    return undefined;
  }
}

/** The client's wait before its next try: what Retry-After asks, plus an exponential backoff with full jitter. */
function backoffMs(attempt: number, retryAfter: string | string[] | undefined): number {
  // Retry-After is the least the server asks; the jitter on top keeps thousands of clients told "1 s" from all coming
  // back in the same second.
  const jitter = Math.random() * Math.min(8_000, 250 * 2 ** attempt);
  const seconds = Number(retryAfter);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0) + jitter;
}

/**
 * One buyer's purchase, as a real client makes it: one Idempotency-Key for the purchase, retried on 429, 5xx, a
 * purchase still in progress under that key or seats contended (409), a time-out or a network error, waiting as the
 * server's Retry-After asks or backing off exponentially with jitter, until RETRY_BUDGET_MS have passed. A retry after
 * a hold was taken but its answer lost gets the same order back, never a second one.
 */
async function buy(
  platform: BenchPlatform,
  buyer: { userId: string; token: string },
  sale: { eventId: string; tierId: string },
  at: number,
): Promise<Purchase> {
  const { userId } = buyer;
  const key = randomUUID();
  const started = performance.now();
  const result: Purchase = {
    status: 0,
    ms: 0,
    requestMs: [],
    answers: [],
    retries: {},
    gaveUp: false,
    at,
    userId,
  };
  let token = buyer.token;
  for (let attempt = 0; ; attempt += 1) {
    const sent = performance.now();
    let cause: RetryCause | undefined;
    let retryAfter: string | string[] | undefined;
    try {
      const response = await request(`${platform.apiUrl}/v1/events/${sale.eventId}/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ items: [{ tierId: sale.tierId, quantity: 1 }] }),
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      const text = await response.body.text();
      result.status = response.statusCode;
      if (response.statusCode === 201) result.order = JSON.parse(text) as HeldOrder;
      cause = retryCauseOf(response.statusCode, text);
      // As the web app does: a refused access token is refreshed and the request tried once more.
      if (response.statusCode === 401 && !result.retries.unauthorized) {
        cause = 'unauthorized';
        token = await platform.sign(userId);
      }
      retryAfter = response.headers['retry-after'];
      result.answers.push({
        status: response.statusCode,
        ms: performance.now() - sent,
        stages: parseServerTiming(response.headers['server-timing'] as string | undefined),
      });
    } catch (error) {
      result.status = 0;
      const code = (error as { code?: string }).code ?? '';
      cause = code.includes('TIMEOUT') ? 'timeout' : 'network';
    }
    result.requestMs.push(performance.now() - sent);
    result.ms = performance.now() - started;
    if (!cause) return result;
    const wait = backoffMs(attempt, retryAfter);
    if (result.ms + wait > RETRY_BUDGET_MS) return { ...result, gaveUp: true };
    result.retries[cause] = (result.retries[cause] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/**
 * One wave of buyers arriving at ARRIVAL_RATE. A buyer who gets a hold pays at once, unless `walksAway` says this hold
 * (counted in the order holds are answered) is one never paid.
 */
async function wave(
  platform: BenchPlatform,
  userIds: string[],
  sale: { eventId: string; tierId: string; secret: string },
  walksAway: (holdIndex: number) => boolean,
) {
  // Signed in before the wave starts (a buyer's token lasts 30 minutes; the next round signs anew).
  const tokens = await Promise.all(userIds.map((userId) => platform.sign(userId)));
  const started = performance.now();
  let holdsSoFar = 0;
  const abandoned: HeldOrder[] = [];
  const webhooks: Delivery[] = [];
  const pending: Promise<Purchase>[] = [];
  for (const [index, userId] of userIds.entries()) {
    const wait = started + (index * 1000) / ARRIVAL_RATE - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      buy(platform, { userId, token: tokens[index] as string }, sale, performance.now() - started).then(
        async (purchase) => {
          if (purchase.order) {
            if (walksAway(holdsSoFar++)) abandoned.push(purchase.order);
            else webhooks.push(await pay(platform.apiUrl, purchase.order, sale.secret));
          }
          return purchase;
        },
      ),
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

interface Delivery {
  /** The last delivery's status (200: accepted). */
  status: number;
  deliveries: number;
}

/**
 * The provider's word that an order's payment succeeded: a signed webhook, redelivered as Stripe does (the same event,
 * signed anew each time) with a growing wait until it is answered 200, for WEBHOOK_BUDGET_MS at most.
 */
async function pay(apiUrl: string, order: HeldOrder, secret: string): Promise<Delivery> {
  const outcome = {
    orderId: order.id,
    paymentId: order.payment?.paymentId ?? '',
    amount: order.total,
    currency: order.currency,
    succeeded: true,
  };
  const eventId = signedPaymentEvent(outcome, secret).eventId;
  const started = performance.now();
  let status = 0;
  for (let delivery = 0; ; delivery += 1) {
    const { payload, signature } = signedPaymentEvent(outcome, secret, eventId);
    try {
      const response = await request(`${apiUrl}/v1/payments/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
        headersTimeout: REQUEST_TIMEOUT_MS,
        bodyTimeout: REQUEST_TIMEOUT_MS,
      });
      await response.body.arrayBuffer();
      status = response.statusCode;
    } catch {
      status = 0;
    }
    const wait = backoffMs(delivery + 2, undefined);
    if (status === 200 || performance.now() - started + wait > WEBHOOK_BUDGET_MS)
      return { status, deliveries: delivery + 1 };
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
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

const requestsOf = (attempts: Purchase[]) =>
  attempts.reduce((sum, attempt) => sum + attempt.requestMs.length, 0);

/** Retries by cause over all purchases, and their total. */
function retriesOf(attempts: Purchase[]) {
  const byCause: Partial<Record<RetryCause, number>> = {};
  for (const attempt of attempts)
    for (const [cause, n] of Object.entries(attempt.retries) as [RetryCause, number][])
      byCause[cause] = (byCause[cause] ?? 0) + n;
  return { total: Object.values(byCause).reduce((sum, n) => sum + n, 0), byCause };
}

/** How purchases ended: each last answer's status (0: none) and how many ended so. */
function lastAnswersOf(attempts: Purchase[]) {
  const counts: Record<string, number> = {};
  for (const attempt of attempts) counts[attempt.status] = (counts[attempt.status] ?? 0) + 1;
  return counts;
}

async function paidSale(platform: BenchPlatform, stripe: StripeMock, secret: string, log: Log) {
  const db = new pg.Client({ connectionString: platform.databaseUrl('tickets') });
  const mail = new pg.Client({ connectionString: platform.databaseUrl('notifications') });
  await Promise.all([db.connect(), mail.connect()]);
  try {
    const warmUp = await warmUpSale(platform, db, mail, secret, log);
    // Only the judged sale's requests to Stripe are counted below.
    const stripeRequestsBefore = stripe.requests.length;
    const { eventId, tierId } = await seedEvent(db, SEATS, { price: PRICE });
    await db.query('UPDATE inventories SET hold_seconds = $2 WHERE event_id = $1', [eventId, HOLD_SECONDS]);
    const buyers = Array.from({ length: BUYERS }, () => randomUUID());
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
    const waves = [{ ...first, paidAfter: await paidSeats(db, eventId) }];
    // The buyers without a seat try again once the unpaid holds have run out (the event's hold time), until every
    // seat is paid or MAX_WAVES rounds were tried; nobody walks away any more.
    for (let last = first; waves.length < MAX_WAVES; ) {
      const paid = waves[waves.length - 1]?.paidAfter ?? 0;
      if (paid >= SEATS) break;
      const heldUntil = Math.max(
        await lastHoldExpiry(db, eventId),
        ...last.abandoned.map((order) => Date.parse(order.expiresAt ?? '')),
      );
      log(`paid flash sale: ${paid} seats paid; the others try again when the unpaid holds have run out`);
      await reaches(async () => (Date.now() > heldUntil ? 1 : 0), 1, (HOLD_SECONDS + 60) * 1000);
      const again = last.attempts.filter((attempt) => !attempt.order).map((attempt) => attempt.userId);
      last = await wave(platform, again, sale, () => false);
      waves.push({ ...last, paidAfter: await paidSeats(db, eventId) });
    }

    const attempts = waves.flatMap((each) => each.attempts);
    const webhooks = waves.flatMap((each) => each.webhooks);
    // Payments asked of Stripe, by the idempotency key of their order: one per hold, however often retried.
    const creates = stripe.requests
      .slice(stripeRequestsBefore)
      .filter((entry) => entry.method === 'POST' && PAYMENT_CREATES.includes(entry.path));
    const answers = attempts.flatMap((attempt) => attempt.answers);
    return {
      warmUp,
      buyers: BUYERS,
      seats: SEATS,
      /** Keep-alive sockets shared by all buyers (BENCH_PAID_CONNECTIONS). */
      connections: CONNECTIONS,
      holdSeconds: HOLD_SECONDS,
      rounds: waves.length,
      maxRounds: MAX_WAVES,
      waves: waves.map((each) => ({
        buyers: each.attempts.length,
        seconds: Math.round(each.seconds * 10) / 10,
        attemptsPerSecond: Math.round(each.attempts.length / each.seconds),
        requests: requestsOf(each.attempts),
        holds: each.holds,
        holdsPerSecond: each.holdsPerSecond,
        abandoned: each.abandoned.length,
        gaveUp: each.attempts.filter((attempt) => attempt.gaveUp).length,
        seatsPaidAfter: each.paidAfter,
      })),
      holds: waves.reduce((sum, each) => sum + each.holds, 0),
      /** The purchase as buyers lived it, their retries and the waits between included. */
      purchase: latency(attempts.map((attempt) => attempt.ms)),
      /** Each purchase request on its own: the purchase call the targets are about. */
      purchaseCall: latency(attempts.flatMap((attempt) => attempt.requestMs)),
      purchaseRequests: requestsOf(attempts),
      purchaseRetries: retriesOf(attempts),
      /**
       * Where the purchase call's time went (the runtime's Server-Timing): `holds` are the 201 answers, whose
       * `payment` stage is the provider's Checkout Session create; `all` every answered purchase request.
       * `outsideFunctionMs` includes waiting for one of the shared connections.
       */
      purchaseStages: {
        holds: stageBreakdown(answers.filter((answer) => answer.status === 201)),
        all: stageBreakdown(answers),
      },
      /** Buyers whose client ran out of retries (they tried again in the next round, with a new key). */
      purchasesGivenUp: attempts.filter((attempt) => attempt.gaveUp).length,
      lastAnswers: lastAnswersOf(attempts),
      webhookDeliveries: webhooks.reduce((sum, each) => sum + each.deliveries, 0),
      webhooksNot200: webhooks.filter((each) => each.status !== 200).length,
      ...(await stripePayments(
        db,
        eventId,
        creates.map((entry) => entry.idempotencyKey),
      )),
      ...(await tally(db, eventId, tierId)),
    };
  } finally {
    await Promise.all([db.end(), mail.end()]);
  }
}

/** The warm-up sale (WARM_UP), reported but not judged; its confirmation emails are sent before the judged sale. */
async function warmUpSale(platform: BenchPlatform, db: pg.Client, mail: pg.Client, secret: string, log: Log) {
  const { eventId, tierId } = await seedEvent(db, WARM_UP.seats, { price: PRICE });
  log(`paid flash sale warm-up: ${WARM_UP.buyers} buyers for ${WARM_UP.seats} paid seats, every hold paid`);
  const buyers = Array.from({ length: WARM_UP.buyers }, () => randomUUID());
  const warm = await wave(platform, buyers, { eventId, tierId, secret }, () => false);
  await drained(db, mail, log);
  return {
    buyers: WARM_UP.buyers,
    seats: WARM_UP.seats,
    attemptsPerSecond: Math.round(warm.attempts.length / warm.seconds),
    holdsPerSecond: warm.holdsPerSecond,
    purchaseCall: latency(warm.attempts.flatMap((attempt) => attempt.requestMs)),
  };
}

export const paidFlashSaleSection: BenchSection = {
  name: 'paidFlashSale',
  description: `flash sale with payment: ${BUYERS} buyers (${CONNECTIONS} shared connections) for ${SEATS} paid seats, ${ABANDON_SHARE * 100}% of holds abandoned and resold after a ${HOLD_SECONDS} s hold (stripe-mock, signed webhooks)`,
  async run(log): Promise<SectionOutcome> {
    const stripe = await startStripeMock();
    const secret = `whsec_${randomUUID().replaceAll('-', '')}`;
    try {
      return await withBenchPlatform(
        {
          label: 'paidFlashSale',
          log,
          connections: CONNECTIONS,
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
            sale.purchasesGivenUp > 0 && `${sale.purchasesGivenUp} purchases given up after retrying`,
            sale.webhooksNot200 > 0 && `${sale.webhooksNot200} payments never accepted`,
            (sale.waves[0]?.attemptsPerSecond ?? 0) < TARGETS.attemptsPerSecondMin * 0.99 &&
              `${sale.waves[0]?.attemptsPerSecond ?? 0} attempts/s`,
            sale.purchaseCall.p99Ms > TARGETS.p99MsMax && `purchase call p99 ${sale.purchaseCall.p99Ms} ms`,
          ].filter((entry): entry is string => typeof entry === 'string');
          log(
            `paid flash sale: ${sale.paidAndConfirmed} paid and confirmed, ${sale.oversold} oversold, ` +
              `${sale.waves[0]?.holdsPerSecond ?? 0} holds/s, purchase call p99 ${sale.purchaseCall.p99Ms} ms, ` +
              `${sale.rounds} rounds, ${sale.purchaseRetries.total} retries`,
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
              purchaseCallP99Ms: sale.purchaseCall.p99Ms,
              purchaseP99Ms: sale.purchase.p99Ms,
              rounds: sale.rounds,
              purchaseRequests: sale.purchaseRequests,
              purchaseRetries: sale.purchaseRetries.total,
              purchaseRetriesByCause: sale.purchaseRetries.byCause,
              connections: CONNECTIONS,
              paymentStageMeanMs: sale.purchaseStages.holds.stages.payment?.meanMs ?? null,
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
