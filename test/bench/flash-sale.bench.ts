// The flash sale and the browse-and-buy mix, through the local runtime: `npm run dev`'s own platform in a child
// process, driven over HTTP on loopback by this process. Correctness (sold, oversold, duplicates, 5xx) is read
// back from the tickets database after the load.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { request } from 'undici';
import { spreadSeats } from '../../functions/tickets/slots';
import { parseServerTiming, type StageTiming } from '../../layers/common/timings';
import { coresUsed, cpuMsPer, readCpu } from './cpu';
import { type DevProcess, withBenchPlatform } from './dev-process';
import { measureFloor } from './floor';
import type { BenchSection, Log, SectionOutcome } from './section';
import { percentile } from './stats';

const BUYERS = Number(process.env.BENCH_BUYERS ?? 2_000);
const SEATS = Number(process.env.BENCH_SEATS ?? 500);
/** Sales run one after the other (a fresh event each): one 2-second sale on a shared machine is a noisy sample. */
const SALES = Math.max(1, Number(process.env.BENCH_SALES ?? 3));
/** Buyers arrive at this rate (open loop); 0 sends every buyer at once. */
const ARRIVAL_RATE = Number(process.env.BENCH_ARRIVAL_RATE ?? 1_000);
const MIX_RATE = Number(process.env.BENCH_MIX_RATE ?? 400);
const MIX_SECONDS = Number(process.env.BENCH_MIX_SECONDS ?? 10);
/** Sustained purchases: this many buyers each buying again as soon as answered (closed loop), for this long. */
const SUSTAINED_CLIENTS = Number(process.env.BENCH_SUSTAINED_CLIENTS ?? 64);
const SUSTAINED_SECONDS = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 10);
const TARGETS = {
  flashSale: { attemptsPerSecondMin: 1_000, p99MsMax: 250 },
  mix: { rate: MIX_RATE, p99MsMax: 100 },
  sustained: { ratioToFloorMin: 0.8, p99MsMax: 250 },
};

/** An event on sale with one tier of `seats`; free by default (one-step orders), as the flash-sale targets assume. */
export async function seedEvent(db: pg.Client, seats: number, { price = 0 } = {}) {
  const eventId = randomUUID();
  const tierId = randomUUID();
  const startsAt = new Date(Date.now() + 7 * 24 * 3600_000);
  await db.query(
    `INSERT INTO inventories (event_id, organizer_id, status, capacity, name, starts_at, ends_at, timezone, place)
     VALUES ($1, $2, 'on_sale', $3, 'Flash sale', $4, $5, 'Europe/Paris', 'Accor Arena, Paris, FR')`,
    [eventId, randomUUID(), seats, startsAt, new Date(startsAt.getTime() + 3 * 3600_000)],
  );
  await db.query(
    `INSERT INTO tiers (tier_id, event_id, name, price, currency, quantity) VALUES ($1, $2, 'General', $4, 'EUR', $3)`,
    [tierId, eventId, seats, price],
  );
  // Its seats over slots, as inventory sync spreads them.
  const slots = spreadSeats(seats, []);
  await db.query(
    `INSERT INTO tier_slots (tier_id, slot, quantity)
     SELECT $1, slot, quantity FROM unnest($2::smallint[], $3::int[]) AS s(slot, quantity)`,
    [tierId, slots.map((slot) => slot.slot), slots.map((slot) => slot.quantity)],
  );
  return { eventId, tierId };
}

interface Attempt {
  status: number;
  ms: number;
  /** The runtime's own account of the answer (its Server-Timing header): time and count per stage. */
  stages?: Record<string, StageTiming>;
  networkRetries: number;
  /** When the buyer arrived, from the first arrival (ms). */
  at: number;
  /** The order of a 201 answer, when asked for (`keepOrder`). */
  order?: unknown;
}

/**
 * One buyer: one purchase, retried with the same Idempotency-Key on network errors (as a real client would), and with
 * `retryUnavailable` on 503 too, as the API asks (the paid sale: a hold may have been taken before the answer failed).
 */
export async function purchase(
  apiUrl: string,
  token: string,
  eventId: string,
  tierId: string,
  { keepOrder = false, retryUnavailable = false } = {},
): Promise<Attempt> {
  const key = randomUUID();
  const started = performance.now();
  for (let retry = 0; ; retry += 1) {
    try {
      const response = await request(`${apiUrl}/v1/events/${eventId}/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ items: [{ tierId, quantity: 1 }] }),
      });
      const text = keepOrder ? await response.body.text() : (await response.body.arrayBuffer(), '');
      if (retryUnavailable && response.statusCode === 503 && retry < 3) throw new Error('unavailable');
      return {
        ...(keepOrder && response.statusCode === 201 ? { order: JSON.parse(text) } : {}),
        status: response.statusCode,
        ms: performance.now() - started,
        networkRetries: retry,
        at: 0,
        stages: parseServerTiming(response.headers['server-timing'] as string | undefined),
      };
    } catch {
      if (retry >= 3) return { status: 0, ms: performance.now() - started, networkRetries: retry, at: 0 };
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** retry * Math.random()));
    }
  }
}

/**
 * Where the answers' time went, from the runtime's Server-Timing: per stage (authorizer, function, validation, db,
 * publish...), its mean and p99 time per answer and how many times it ran per answer (db: statements per purchase);
 * `outsideFunctionMs` is the rest of the client's latency (the gateway, queueing, the network).
 */
export function stageBreakdown(answers: { ms: number; stages?: Record<string, StageTiming> }[]) {
  const timed = answers.filter((answer) => answer.stages && Object.keys(answer.stages).length > 0);
  const names = [...new Set(timed.flatMap((answer) => Object.keys(answer.stages ?? {})))];
  const mean = (values: number[]) =>
    round(values.reduce((sum, value) => sum + value, 0) / (values.length || 1));
  const stages = Object.fromEntries(
    names.map((name) => {
      const ms = timed.map((answer) => answer.stages?.[name]?.ms ?? 0);
      return [
        name,
        {
          meanMs: mean(ms),
          p99Ms: latency(ms).p99Ms,
          perAnswer: mean(timed.map((answer) => answer.stages?.[name]?.count ?? 0)),
        },
      ];
    }),
  );
  return {
    answers: timed.length,
    stages,
    outsideFunctionMs: mean(timed.map((answer) => answer.ms - (answer.stages?.function?.ms ?? 0))),
  };
}

export function latency(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}
const round = (value: number) => Math.round(value * 10) / 10;

async function verify(db: pg.Client, eventId: string, tierId: string, capacity: number, created: number) {
  const { rows } = await db.query(
    `SELECT (SELECT sold FROM tier_stock WHERE tier_id = $2) AS sold,
            (SELECT count(*)::int FROM orders WHERE event_id = $1 AND status = 'confirmed') AS orders,
            (SELECT count(*)::int FROM tickets t JOIN orders o ON o.id = t.order_id WHERE o.event_id = $1) AS tickets,
            (SELECT count(*)::int FROM (SELECT user_id FROM orders WHERE event_id = $1 GROUP BY user_id HAVING count(*) > 1) d) AS duplicates`,
    [eventId, tierId],
  );
  const row = rows[0] as { sold: number; orders: number; tickets: number; duplicates: number };
  return {
    ticketsSold: row.sold,
    ordersInDatabase: row.orders,
    ticketsInDatabase: row.tickets,
    oversold: Math.max(0, row.sold - capacity),
    duplicateOrders: row.duplicates,
    createdResponsesMatchRows:
      created === row.orders && row.orders === row.tickets && row.tickets === row.sold,
  };
}

/** Confirmation emails sent (read from the notifications database), for one event or in all. */
async function confirmationsSent(mail: pg.Client, eventId?: string): Promise<number> {
  const { rows } = await mail.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM deliveries
     WHERE kind = 'confirmation' AND status = 'sent' AND ($1::uuid IS NULL OR event_id = $1)`,
    [eventId ?? null],
  );
  return rows[0]?.n ?? 0;
}

/** Polls until `count()` reaches `target` or the time is up; answers whether it did. */
export async function reaches(
  count: () => Promise<number>,
  target: number,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while ((await count()) < target) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/**
 * Waits until every confirmed order has its confirmation email sent, i.e. the queue behind earlier purchases has
 * drained, so that a section starts on a quiet platform rather than on the previous section's backlog.
 */
export async function drained(db: pg.Client, mail: pg.Client, log: Log, timeoutMs = 60_000): Promise<void> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM orders WHERE status = 'confirmed'",
  );
  if (!(await reaches(() => confirmationsSent(mail), rows[0]?.n ?? 0, timeoutMs)))
    log(`confirmation emails still pending after ${timeoutMs / 1000} s; going on`);
}

async function flashSale(
  platform: DevProcess,
  db: pg.Client,
  mail: pg.Client,
  sign: (userId: string) => Promise<string>,
  log: Log,
  { buyers, seats } = { buyers: BUYERS, seats: SEATS },
) {
  const { eventId, tierId } = await seedEvent(db, seats);
  const tokens = await Promise.all(Array.from({ length: buyers }, () => sign(randomUUID())));
  await drained(db, mail, log);
  log(
    `flash sale: ${buyers} buyers for ${seats} seats, arriving ${ARRIVAL_RATE > 0 ? `at ${ARRIVAL_RATE}/s` : 'all at once'}`,
  );
  const started = performance.now();
  const pending: Promise<Attempt>[] = [];
  for (const [index, token] of tokens.entries()) {
    if (ARRIVAL_RATE > 0) {
      const wait = started + (index * 1000) / ARRIVAL_RATE - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const at = performance.now() - started;
    pending.push(purchase(platform.apiUrl, token, eventId, tierId).then((attempt) => ({ ...attempt, at })));
  }
  const attempts = await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  const count = (predicate: (status: number) => boolean) =>
    attempts.filter((attempt) => predicate(attempt.status)).length;
  const created = count((status) => status === 201);
  const result = {
    buyers,
    seats,
    offeredRate: ARRIVAL_RATE > 0 ? ARRIVAL_RATE : 'all at once',
    seconds: round(seconds),
    /** Attempts answered per second, from the first arrival to the last answer. */
    attemptsPerSecond: Math.round(buyers / seconds),
    ...latency(attempts.map((attempt) => attempt.ms)),
    /** Latency of the buyers who got a seat, and of those told it was sold out. */
    byOutcome: {
      created: latency(attempts.filter((attempt) => attempt.status === 201).map((attempt) => attempt.ms)),
      soldOut: latency(attempts.filter((attempt) => attempt.status === 409).map((attempt) => attempt.ms)),
    },
    /** p99 latency of the buyers arriving in each 250 ms of the sale: where the queue built up. */
    p99MsByArrival: Array.from({ length: Math.ceil((seconds * 1000) / 250) }, (_, slot) =>
      attempts.filter((attempt) => Math.floor(attempt.at / 250) === slot).map((attempt) => attempt.ms),
    )
      .filter((slot) => slot.length > 0)
      .map((slot) => latency(slot).p99Ms),
    stages: stageBreakdown(attempts),
    created,
    soldOut409: count((status) => status === 409),
    other4xx: count((status) => status >= 400 && status < 500 && status !== 409),
    status5xx: count((status) => status >= 500),
    networkErrors: count((status) => status === 0),
    networkRetries: attempts.reduce((sum, attempt) => sum + attempt.networkRetries, 0),
    ...(await verify(db, eventId, tierId, seats, created)),
    // The queue behind the sale: when the last buyer's confirmation email went out, from the first arrival.
    confirmationEmails: await (async () => {
      const all = await reaches(() => confirmationsSent(mail, eventId), created, 120_000);
      return {
        sent: await confirmationsSent(mail, eventId),
        allSentAfterSeconds: all ? round((performance.now() - started) / 1000) : null,
      };
    })(),
  };
  // Seats sold per second while they lasted (first arrival to the last seat's answer), against the database's floor
  // measured for as long right after the sale.
  const sellingSeconds =
    Math.max(
      0,
      ...attempts.filter((attempt) => attempt.status === 201).map((attempt) => attempt.at + attempt.ms),
    ) / 1000;
  const floor = await measureFloor(platform.databaseUrl('tickets'), Math.max(1, sellingSeconds));
  const soldPerSecond = sellingSeconds > 0 ? Math.round(created / sellingSeconds) : 0;
  return {
    ...result,
    soldPerSecond,
    floor,
    soldRatioToFloor: Math.round((soldPerSecond / floor.transactionsPerSecond) * 100) / 100,
    meetsTargets:
      meetsRate(result.attemptsPerSecond) && result.p99Ms <= TARGETS.flashSale.p99MsMax && exact(result),
  };
}

type Sale = Awaited<ReturnType<typeof flashSale>>;

/** Sold exactly its seats: none oversold, no duplicate order, no 5xx, every 201 matched by its rows. */
function exact(sale: {
  seats: number;
  ticketsSold: number;
  oversold: number;
  duplicateOrders: number;
  status5xx: number;
  createdResponsesMatchRows: boolean;
}): boolean {
  return (
    sale.ticketsSold === sale.seats &&
    sale.oversold === 0 &&
    sale.duplicateOrders === 0 &&
    sale.status5xx === 0 &&
    sale.createdResponsesMatchRows
  );
}

/**
 * The rate target. Buyers arriving on schedule at the target rate can at best be answered at that rate: the window
 * runs from the first arrival to the last answer, so the last buyer's own latency (a few ms) always lengthens it.
 * With arrivals on schedule, the target is met when they come at least that fast and are answered at no less than
 * 99% of the target, i.e. the platform kept pace; with everyone at once (BENCH_ARRIVAL_RATE=0), when the answers
 * reach it.
 */
function meetsRate(attemptsPerSecond: number): boolean {
  const target = TARGETS.flashSale.attemptsPerSecondMin;
  return ARRIVAL_RATE > 0
    ? ARRIVAL_RATE >= target && attemptsPerSecond >= target * 0.99
    : attemptsPerSecond >= target;
}

/**
 * The sale with the median p99 stands for the runs (its figures at the top), with every run's headline figures
 * listed. Targets: the median run's rate and p99, and every run exact (sold = seats, no oversell, no duplicate,
 * no 5xx, every 201 matched by its rows).
 */
function summariseSales(sales: Sale[]) {
  const sorted = [...sales].sort((a, b) => a.p99Ms - b.p99Ms);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as Sale;
  return {
    ...median,
    runs: sales.map((sale) => ({
      attemptsPerSecond: sale.attemptsPerSecond,
      soldRatioToFloor: sale.soldRatioToFloor,
      p50Ms: sale.p50Ms,
      p99Ms: sale.p99Ms,
      exact: exact(sale),
    })),
    meetsTargets:
      meetsRate(median.attemptsPerSecond) && median.p99Ms <= TARGETS.flashSale.p99MsMax && sales.every(exact),
  };
}

/**
 * Open loop at a fixed rate (requests are sent on schedule whether or not earlier ones have answered): browsing
 * (availability, health, docs) and buying, 4 reads to 1 purchase, against an event large enough not to sell out.
 */
export async function mix(
  platform: DevProcess,
  db: pg.Client,
  sign: (userId: string) => Promise<string>,
  log: Log,
  { rate = MIX_RATE, seconds: lasting = MIX_SECONDS } = {},
) {
  const { eventId, tierId } = await seedEvent(db, 1_000_000);
  const total = rate * lasting;
  const tokens = await Promise.all(Array.from({ length: Math.ceil(total / 5) }, () => sign(randomUUID())));
  log(`mix: ${rate} requests/s for ${lasting} s`);
  const samples: { kind: string; status: number; ms: number }[] = [];
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const kind = i % 5 === 4 ? 'purchase' : i % 5 === 3 ? 'health' : 'availability';
    const sent = performance.now();
    const answered =
      kind === 'purchase'
        ? purchase(platform.apiUrl, tokens[Math.floor(i / 5)] ?? '', eventId, tierId).then((attempt) => ({
            status: attempt.status,
          }))
        : request(
            `${platform.apiUrl}${kind === 'health' ? '/v1/health' : `/v1/events/${eventId}/availability`}`,
          ).then(async (response) => {
            await response.body.arrayBuffer();
            return { status: response.statusCode };
          });
    inflight.push(
      answered
        .catch(() => ({ status: 0 }))
        .then(({ status }) => {
          samples.push({ kind, status, ms: performance.now() - sent });
        }),
    );
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - started) / 1000;
  const errors = samples.filter((sample) => sample.status === 0 || sample.status >= 400).length;
  const byKind = Object.fromEntries(
    ['availability', 'health', 'purchase'].map((kind) => [
      kind,
      latency(samples.filter((sample) => sample.kind === kind).map((sample) => sample.ms)),
    ]),
  );
  const overall = latency(samples.map((sample) => sample.ms));
  return {
    targetRate: rate,
    achievedRate: Math.round(samples.length / seconds),
    requests: samples.length,
    ...overall,
    byKind,
    errors,
    meetsTargets:
      overall.p99Ms <= TARGETS.mix.p99MsMax && errors === 0 && samples.length / seconds >= rate * 0.95,
  };
}

/**
 * Sustained purchases at the database's pace: SUSTAINED_CLIENTS buyers each buy one ticket and buy again as soon as
 * answered, for SUSTAINED_SECONDS, from an event too large to sell out; then the one-hot-row floor runs against the
 * same PostgreSQL for as long, and successful purchases/s are reported as a ratio of it.
 */
async function sustained(
  platform: DevProcess,
  db: pg.Client,
  sign: (userId: string) => Promise<string>,
  log: Log,
) {
  const { eventId, tierId } = await seedEvent(db, 10_000_000);
  const tokens = await Promise.all(Array.from({ length: SUSTAINED_CLIENTS }, () => sign(randomUUID())));
  log(`sustained purchases: ${SUSTAINED_CLIENTS} buyers in a closed loop for ${SUSTAINED_SECONDS} s`);
  const attempts: Attempt[] = [];
  const group = platform.child.pid ?? 0;
  const cpuAtStart = readCpu(group);
  const started = performance.now();
  const until = started + SUSTAINED_SECONDS * 1000;
  await Promise.all(
    tokens.map(async (token) => {
      while (performance.now() < until)
        attempts.push(await purchase(platform.apiUrl, token, eventId, tierId));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAtFloor = readCpu(group);
  const created = attempts.filter((attempt) => attempt.status === 201).length;
  const floorStarted = performance.now();
  let floorCores: ReturnType<typeof coresUsed> | undefined;
  const floor = await measureFloor(platform.databaseUrl('tickets'), seconds, () => {
    floorCores = coresUsed(cpuAtFloor, readCpu(group), (performance.now() - floorStarted) / 1000);
  });
  const purchaseCores = coresUsed(cpuAtStart, cpuAtFloor, seconds);
  const purchasesPerSecond = Math.round(created / seconds);
  const ratioToFloor = Math.round((purchasesPerSecond / floor.transactionsPerSecond) * 100) / 100;
  const answers = latency(attempts.map((attempt) => attempt.ms));
  const failed = attempts.length - created;
  return {
    clients: SUSTAINED_CLIENTS,
    seconds: round(seconds),
    purchasesPerSecond,
    ...answers,
    failed,
    stages: stageBreakdown(attempts),
    floor,
    ratioToFloor,
    /**
     * Cores each role kept busy (test/bench/cpu.ts) while buyers bought and while the floor ran (the confirmation
     * emails of the purchases still going out meanwhile show as the runtime's), and the CPU of one purchase in the
     * runtime (workers, primary, PostgreSQL, Redis) and in the buyers' client, against one floor transaction's in
     * PostgreSQL and its client.
     */
    cpu: {
      duringPurchases: purchaseCores,
      duringFloor: floorCores ?? null,
      msPerPurchase: {
        runtime: cpuMsPer(
          purchaseCores.apiWorkers +
            purchaseCores.runtimePrimary +
            purchaseCores.postgres +
            purchaseCores.redis,
          created / seconds,
        ),
        client: cpuMsPer(purchaseCores.benchClient, created / seconds),
      },
      msPerFloorTransaction: {
        postgres: cpuMsPer(floorCores?.postgres ?? 0, floor.transactionsPerSecond),
        client: cpuMsPer(floorCores?.benchClient ?? 0, floor.transactionsPerSecond),
      },
    },
    meetsTargets:
      ratioToFloor >= TARGETS.sustained.ratioToFloorMin &&
      answers.p99Ms <= TARGETS.sustained.p99MsMax &&
      failed === 0,
  };
}

export const flashSaleSection: BenchSection = {
  name: 'flashSale',
  description: `flash sale (${BUYERS} buyers, ${SEATS} seats) and a ${MIX_RATE} requests/s browse-and-buy mix through the local runtime`,
  async run(log): Promise<SectionOutcome> {
    // Buyers share keep-alive connections, as a crowd reaches the API through CloudFront's pooled ones (and as the
    // paid sale's buyers do): a socket per buyer measures the local gateway's listen queue instead, whose overflow
    // under 1,000 new connections a second costs a buyer TCP's 1 s, 3 s, 7 s SYN retransmissions.
    const connections = Number(process.env.BENCH_CONNECTIONS ?? 256);
    return withBenchPlatform(
      { label: 'flashSale', log, connections, ephemeral: true, tuned: true },
      async (platform) => {
        const client = new pg.Client({ connectionString: platform.databaseUrl('tickets') });
        const mail = new pg.Client({ connectionString: platform.databaseUrl('notifications') });
        await Promise.all([client.connect(), mail.connect()]);
        try {
          // Warm-up, not measured: the mix loads the handlers and opens the pool's connections, and a small sale runs
          // the paths a sell-out takes (slots running dry, refusals) once before the measured sales.
          await mix(platform, client, platform.sign, () => undefined).catch(() => undefined);
          await flashSale(platform, client, mail, platform.sign, () => undefined, {
            buyers: Math.ceil(BUYERS / 4),
            seats: Math.ceil(SEATS / 4),
          }).catch(() => undefined);
          const sales = [];
          for (let run = 0; run < SALES; run += 1)
            sales.push(await flashSale(platform, client, mail, platform.sign, log));
          const sale = summariseSales(sales);
          await drained(client, mail, log);
          const steady = await mix(platform, client, platform.sign, log);
          await drained(client, mail, log);
          const pace = await sustained(platform, client, platform.sign, log);
          return {
            summary: {
              allMeetTargets: sale.meetsTargets && steady.meetsTargets && pace.meetsTargets,
              flashSale: sale.meetsTargets,
              mix: steady.meetsTargets,
              sustained: pace.meetsTargets,
              sustainedRatioToFloor: pace.ratioToFloor,
            },
            details: { targets: TARGETS, flashSale: sale, mix: steady, sustained: pace },
            failed: false,
          };
        } finally {
          await Promise.all([client.end(), mail.end()]);
        }
      },
    );
  },
};
