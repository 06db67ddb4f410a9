// The page everyone refreshes during a sale (issue 20): `GET /v1/events/{id}` read by many clients in a closed loop
// while a flash sale runs on the same event, through `npm run dev` with Redis (the availability snapshot lives
// there) and its edge (CloudFront's cache, played by the local gateway). Reports the page's rate and latency during the sale and how far its remaining seats lagged behind sales:
// a page requested at t must not show more seats than were left at t - 1 s (sales known from the purchases' 201
// answers, so the check only ever under-counts staleness, never invents it).
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Pool } from 'undici';
import { parseServerTiming, type StageTiming } from '../../layers/common/timings';
import { coresUsed, cpuMsPer, readCpu } from './cpu';
import { publishBenchEvent, withBenchPlatform } from './dev-process';
import { purchase, stageBreakdown } from './flash-sale.bench';
import type { BenchSection, Log, SectionOutcome } from './section';
import { percentile } from './stats';

const READERS = Number(process.env.BENCH_PAGE_CONNECTIONS ?? 64);
const SEATS = Number(process.env.BENCH_PAGE_SEATS ?? 1_000);
const BUYERS = Number(process.env.BENCH_PAGE_BUYERS ?? 2_000);
const BUYER_RATE = Number(process.env.BENCH_PAGE_BUYER_RATE ?? 500);
/** Readers go on this long after the last purchase answer, so the sold-out page is measured too. */
const TAIL_MS = 2_000;
/**
 * Readers refresh this long before the first buyer: the page on its own (the edge's and the client's capacity on this
 * machine), to read the figures during the sale against.
 */
const ALONE_MS = Number(process.env.BENCH_PAGE_ALONE_MS ?? 3_000);
/** The staleness the event page promises (the edge's copy of it; the seats in the copy are current). */
const PROMISED_LAG_MS = 1_000;
const TARGETS = { requestsPerSecondMin: 4_000, p99MsMax: 50, lagViolationsMax: 0 };

interface PageRead {
  requestedAt: number;
  ms: number;
  status: number;
  remaining: number | null;
  /** Whether the edge answered from its copy (local/edge-cache.ts). */
  edgeHit?: boolean;
  /** The API process that answered (x-local-worker). */
  worker?: string;
  stages?: Record<string, StageTiming>;
}

const round = (value: number) => Math.round(value * 10) / 10;

async function createEvent(apiUrl: string, token: string) {
  const { eventId, tierIds } = await publishBenchEvent(apiUrl, token, {
    name: 'Refresh storm',
    description: 'The event everyone refreshes while it sells out.',
    capacity: SEATS,
    ticketTiers: [{ name: 'General', price: 0, currency: 'EUR', quantity: SEATS }],
  });
  return { eventId, tierId: tierIds[0] ?? '' };
}

function run(log: Log): Promise<SectionOutcome> {
  return withBenchPlatform(
    // The buyers share keep-alive connections as in the flash sale (BENCH_CONNECTIONS, see there).
    {
      label: 'eventPage',
      log,
      connections: Number(process.env.BENCH_CONNECTIONS ?? 256),
      ephemeral: true,
      redis: 'required',
    },
    async (platform) => {
      const apiUrl = platform.apiUrl;
      const { eventId, tierId } = await createEvent(apiUrl, await platform.sign(randomUUID()));
      const tokens = await Promise.all(Array.from({ length: BUYERS }, () => platform.sign(randomUUID())));
      log(
        `eventPage: ${READERS} readers refreshing while ${BUYERS} buyers (at ${BUYER_RATE}/s) take ${SEATS} seats`,
      );

      const reads: PageRead[] = [];
      let reading = true;
      // Each reader keeps its own connection, as a browser (or wrk) does: the buyers' new connections during the sale
      // are theirs, and a read never waits behind one being opened.
      const readerPool = new Pool(apiUrl, { connections: READERS, pipelining: 1, keepAliveTimeout: 30_000 });
      const readers = Array.from({ length: READERS }, async () => {
        while (reading) {
          const requestedAt = performance.now();
          try {
            const response = await readerPool.request({ method: 'GET', path: `/v1/events/${eventId}` });
            const body = (await response.body.json()) as { remaining?: number | null };
            reads.push({
              requestedAt,
              ms: performance.now() - requestedAt,
              status: response.statusCode,
              remaining: body.remaining ?? null,
              edgeHit: String(response.headers['x-cache'] ?? '').startsWith('Hit'),
              worker: response.headers['x-local-worker'] as string | undefined,
              stages: parseServerTiming(response.headers['server-timing'] as string | undefined),
            });
          } catch {
            reads.push({ requestedAt, ms: performance.now() - requestedAt, status: 0, remaining: null });
          }
        }
      });
      const group = platform.child.pid ?? 0;
      const aloneFrom = performance.now();
      const cpuAtStart = readCpu(group);
      await new Promise((resolve) => setTimeout(resolve, ALONE_MS));
      const cpuAtSale = readCpu(group);
      const started = performance.now();
      const sales: Promise<{ status: number; answeredAt: number }>[] = [];
      for (const [index, token] of tokens.entries()) {
        const wait = started + (index * 1000) / BUYER_RATE - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        // A buyer retries on network errors with the same Idempotency-Key, as in the flash sale.
        sales.push(
          purchase(apiUrl, token, eventId, tierId).then((attempt) => ({
            status: attempt.status,
            answeredAt: performance.now(),
          })),
        );
      }
      const answers = await Promise.all(sales);
      const saleEnded = performance.now();
      const cpuAtEnd = readCpu(group);
      await new Promise((resolve) => setTimeout(resolve, TAIL_MS));
      reading = false;
      await Promise.all(readers);
      await readerPool.close();

      // When each seat was known sold, in order: the page may lag these by the promised staleness, no more.
      const soldAt = answers
        .filter((answer) => answer.status === 201)
        .map((answer) => answer.answeredAt)
        .sort((a, b) => a - b);
      const soldBy = (instant: number) => {
        let low = 0;
        let high = soldAt.length;
        while (low < high) {
          const mid = (low + high) >> 1;
          if ((soldAt[mid] ?? 0) <= instant) low = mid + 1;
          else high = mid;
        }
        return low;
      };
      const ok = reads.filter((read) => read.status === 200);
      const lagViolations = ok.filter(
        (read) =>
          read.remaining !== null && read.remaining > SEATS - soldBy(read.requestedAt - PROMISED_LAG_MS),
      ).length;
      const lastSeat = soldAt[soldAt.length - 1] ?? saleEnded;
      const firstSoldOutPage = ok
        .filter((read) => read.remaining === 0)
        .reduce((first, read) => Math.min(first, read.requestedAt + read.ms), Number.POSITIVE_INFINITY);
      const during = reads.filter((read) => read.requestedAt >= started && read.requestedAt <= saleEnded);
      const seconds = (saleEnded - started) / 1000;
      const sorted = during.map((read) => read.ms).sort((a, b) => a - b);
      const alone = reads.filter((read) => read.requestedAt >= aloneFrom && read.requestedAt < started);
      const aloneSorted = alone.map((read) => read.ms).sort((a, b) => a - b);
      const cpuAlone = coresUsed(cpuAtStart, cpuAtSale, (started - aloneFrom) / 1000);
      const cpuDuring = coresUsed(cpuAtSale, cpuAtEnd, seconds);
      // What one page answer costs with no sale running: the runtime's side and the reader's (the load generator).
      const aloneRate = alone.length / (ALONE_MS / 1000);
      const pageServerMs = cpuMsPer(
        cpuAlone.apiWorkers + cpuAlone.runtimePrimary + cpuAlone.redis,
        aloneRate,
      );
      const pageClientMs = cpuMsPer(cpuAlone.benchClient, aloneRate);
      const figures = {
        readers: READERS,
        buyers: BUYERS,
        seats: SEATS,
        saleSeconds: round(seconds),
        seatsSold: soldAt.length,
        pageRequestsDuringSale: during.length,
        requestsPerSecond: Math.round(during.length / seconds),
        p50Ms: round(percentile(sorted, 50)),
        p99Ms: round(percentile(sorted, 99)),
        maxMs: round(sorted[sorted.length - 1] ?? 0),
        /** Share of the page answers the edge gave from its copy, without a function. */
        edgeHitRatio:
          round((during.filter((read) => read.edgeHit).length / (during.length || 1)) * 1000) / 1000,
        /** The function's stages, over the answers that reached it. */
        stages: stageBreakdown(during.filter((read) => !read.edgeHit)),
        /** The slowest answers: when they were asked (seconds after the first buyer), by which process, from where. */
        slowest: [...during]
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 3)
          .map((read) => ({
            ms: round(read.ms),
            atSeconds: round((read.requestedAt - started) / 1000),
            worker: read.worker ?? null,
            edgeHit: read.edgeHit ?? false,
            status: read.status,
          })),
        /** The same page with no sale running, just before it: what the edge and the readers manage on their own. */
        withoutSale: {
          seconds: round(ALONE_MS / 1000),
          requestsPerSecond: Math.round(aloneRate),
          p50Ms: round(percentile(aloneSorted, 50)),
          p99Ms: round(percentile(aloneSorted, 99)),
          /** Cores each role kept busy (test/bench/cpu.ts). */
          cores: cpuAlone,
          /** CPU per page answer, in the runtime and in the bench's readers. */
          cpuMsPerAnswer: { runtime: pageServerMs, client: pageClientMs },
        },
        /**
         * Where the CPU went during the sale, and what is left of the machine's cores for the sale once the page takes
         * its target rate at the CPU per answer measured without the sale (runtime and client).
         */
        cpu: {
          cores: cpuDuring,
          // ms of CPU per answer × answers per second / 1000 = cores, to two decimals.
          coresForTargetPageRate:
            Math.round((((pageServerMs + pageClientMs) * TARGETS.requestsPerSecondMin) / 1000) * 100) / 100,
          machineCores: availableParallelism(),
        },
        errors: reads.filter((read) => read.status !== 200).length,
        remainingUnknown: ok.filter((read) => read.remaining === null).length,
        lagViolations,
        /** From the last seat's sale to the first page answer showing sold out. */
        soldOutShownAfterMs: Number.isFinite(firstSoldOutPage)
          ? Math.round(firstSoldOutPage - lastSeat)
          : null,
      };
      const missed = [
        figures.requestsPerSecond < TARGETS.requestsPerSecondMin && `${figures.requestsPerSecond} requests/s`,
        figures.p99Ms > TARGETS.p99MsMax && `p99 ${figures.p99Ms} ms`,
        figures.lagViolations > TARGETS.lagViolationsMax &&
          `${figures.lagViolations} pages more than 1 s behind`,
        figures.errors > 0 && `${figures.errors} errors`,
        figures.seatsSold !== SEATS && `${figures.seatsSold} of ${SEATS} seats sold`,
      ].filter((entry): entry is string => typeof entry === 'string');
      return {
        summary: {
          allMeetTargets: missed.length === 0,
          requestsPerSecond: figures.requestsPerSecond,
          p99Ms: figures.p99Ms,
          lagViolations: figures.lagViolations,
          missedTargets: missed,
        },
        details: { targets: TARGETS, promisedLagMs: PROMISED_LAG_MS, ...figures },
        failed: false,
      };
    },
  );
}

export const eventPageSection: BenchSection = {
  name: 'eventPage',
  description: `the event page (GET /v1/events/{id}) refreshed by ${READERS} clients during a flash sale, with Redis`,
  run,
};
