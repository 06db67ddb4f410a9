// The `search` section: catalogue search over 10,000 published events, through the local gateway and the real
// handler, against the real PostgreSQL (full-text index, filters, keyset pages). Redis is left out, so every request
// takes the database path the cache would otherwise hide. Target: p99 under 50 ms on this machine.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EVENT_TYPES } from '../../functions/events/rules';
import { freePort } from '../support/ports';
import type { BenchSection, Log, SectionOutcome } from './section';
import { percentile } from './stats';

export const SEARCH_TARGETS = { p99MsMax: 50 } as const;
const EVENTS = 10_000;
const REQUESTS = Number(process.env.BENCH_SEARCH_REQUESTS ?? 2_000);
const WARMUP = 200;
const CONCURRENCY = Number(process.env.BENCH_SEARCH_CONCURRENCY ?? 8);
/** The whole measurement stops here, whatever is left: the bench is bounded in time. */
const DEADLINE_MS = 120_000;

/** A small seeded generator (mulberry32), so every run searches the same catalogue with the same queries. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) };
}

const TYPES = EVENT_TYPES;
const GENRES = [
  'jazz',
  'rock',
  'techno',
  'classical',
  'folk',
  'hip-hop',
  'blues',
  'opera',
  'salsa',
  'reggae',
  'indie',
  'metal',
];
const SUBJECTS = [
  'cloud',
  'design',
  'startup',
  'data',
  'security',
  'pottery',
  'photography',
  'cooking',
  'wine',
  'yoga',
  'robotics',
  'poetry',
];
const ADJECTIVES = [
  'Midnight',
  'Summer',
  'Grand',
  'Urban',
  'Open-air',
  'Acoustic',
  'Late',
  'Sunday',
  'Electric',
  'Winter',
  'Little',
  'Great',
];
const NOUNS = [
  'Session',
  'Night',
  'Festival',
  'Summit',
  'Gathering',
  'Live',
  'Marathon',
  'Showcase',
  'Masterclass',
  'Weekend',
  'Club',
  'Party',
];
const CITIES: [string, string][] = [
  ['Paris', 'France'],
  ['Lyon', 'France'],
  ['Berlin', 'Germany'],
  ['Hamburg', 'Germany'],
  ['Madrid', 'Spain'],
  ['Barcelona', 'Spain'],
  ['Lisbon', 'Portugal'],
  ['Amsterdam', 'Netherlands'],
  ['Brussels', 'Belgium'],
  ['Milan', 'Italy'],
  ['Rome', 'Italy'],
  ['Vienna', 'Austria'],
  ['Prague', 'Czechia'],
  ['Dublin', 'Ireland'],
  ['London', 'United Kingdom'],
  ['Manchester', 'United Kingdom'],
  ['Copenhagen', 'Denmark'],
  ['Stockholm', 'Sweden'],
  ['Oslo', 'Norway'],
  ['Warsaw', 'Poland'],
];
const SENTENCES = [
  'Join us for an unforgettable evening with artists from across the region.',
  'Doors open one hour before the start; food and drinks are served all night.',
  'A hands-on programme for beginners and seasoned practitioners alike.',
  'Talks, demos and plenty of time to meet the community.',
  'Seats are limited and the venue is fully accessible.',
  'Expect long sets, deep grooves and a crowd that dances until closing.',
  'Bring your curiosity: every session ends with questions from the audience.',
  'Our guest speakers share what they learned building products at scale.',
  'Local producers and chefs present their best seasonal dishes.',
  'A relaxed afternoon for families, with activities for children.',
];

interface Seeded {
  seedMs: number;
  words: string[];
  tags: string[];
}

/** Inserts the catalogue in batches of multi-row INSERTs (one statement per 1,000 events). */
export async function seed(databaseUrl: string, log: Log): Promise<Seeded> {
  const rng = random(42);
  const started = performance.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const now = Date.now();
    for (let batch = 0; batch < EVENTS; batch += 1_000) {
      const rows: unknown[][] = [];
      for (let index = batch; index < Math.min(EVENTS, batch + 1_000); index += 1) {
        const type = rng.pick(TYPES);
        const theme =
          type === 'conference' || type === 'workshop' || type === 'meetup'
            ? rng.pick(SUBJECTS)
            : rng.pick(GENRES);
        const [city, country] = rng.pick(CITIES);
        const name = `${rng.pick(ADJECTIVES)} ${theme} ${rng.pick(NOUNS)} ${index}`;
        const description = Array.from({ length: rng.int(2, 4) }, () => rng.pick(SENTENCES)).join(' ');
        const tags = [...new Set([theme, rng.pick(GENRES), rng.pick(SUBJECTS)].slice(0, rng.int(1, 3)))];
        // Spread over the coming year, on the hour, many sharing a start (as real evenings do).
        const startsAt = new Date(now + rng.int(1, 365) * 86_400_000);
        startsAt.setUTCHours(rng.int(9, 22), 0, 0, 0);
        const endsAt = new Date(startsAt.getTime() + rng.int(1, 8) * 3_600_000);
        const capacity = rng.int(50, 5_000);
        const tiers = [
          {
            id: randomUUID(),
            name: 'Standard',
            price: rng.int(0, 200) * 100,
            currency: 'EUR',
            quantity: capacity,
          },
        ];
        const stamp = new Date(now - rng.int(1, 100) * 86_400_000).toISOString();
        rows.push([
          randomUUID(),
          randomUUID(),
          'published',
          name,
          type,
          description,
          startsAt.toISOString(),
          endsAt.toISOString(),
          'Europe/Paris',
          `${theme} hall`,
          `${rng.int(1, 200)} main street`,
          city,
          country,
          capacity,
          JSON.stringify(tiers),
          tags,
          stamp,
          stamp,
          stamp,
        ]);
      }
      const width = rows[0]?.length ?? 0;
      const placeholders = rows
        .map(
          (_, row) =>
            `(${Array.from({ length: width }, (_, column) => `$${row * width + column + 1}`).join(', ')})`,
        )
        .join(', ');
      await client.query(
        `INSERT INTO events (id, organizer_id, status, name, type, description, starts_at, ends_at, timezone, venue,
           address, city, country, capacity, ticket_tiers, tags, created_at, updated_at, published_at)
         VALUES ${placeholders}`,
        rows.flat(),
      );
    }
    await client.query('ANALYZE events');
  } finally {
    await client.end();
  }
  const seedMs = Math.round(performance.now() - started);
  log(`search: seeded ${EVENTS} published events in ${seedMs} ms`);
  return {
    seedMs,
    words: [...GENRES, ...SUBJECTS, ...NOUNS.map((noun) => noun.toLowerCase())],
    tags: [...GENRES, ...SUBJECTS],
  };
}

type Kind = 'q' | 'q+filters' | 'tag' | 'city' | 'type+dates' | 'browse' | 'next-page';

/** The mix of searches a catalogue sees: words, filters, date ranges, plain browsing, and second pages. */
function queries(seeded: Seeded, count: number, seedValue: number): { kind: Kind; query: string }[] {
  const rng = random(seedValue);
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const list: { kind: Kind; query: string }[] = [];
  for (let index = 0; index < count; index += 1) {
    const roll = rng.next();
    const limit = rng.pick([10, 20, 20, 50]);
    let kind: Kind;
    let params: Record<string, string>;
    if (roll < 0.3) {
      kind = 'q';
      params = {
        q: rng.next() < 0.7 ? rng.pick(seeded.words) : `${rng.pick(seeded.words)} ${rng.pick(seeded.words)}`,
      };
    } else if (roll < 0.45) {
      kind = 'q+filters';
      params = {
        q: rng.pick(seeded.words),
        city: rng.pick(CITIES)[0].toLowerCase(),
        from: day(rng.int(0, 90)),
        sort: rng.pick(['date', 'relevance']),
      };
    } else if (roll < 0.6) {
      kind = 'tag';
      params = { tag: rng.pick(seeded.tags) };
    } else if (roll < 0.72) {
      kind = 'city';
      params = { city: rng.pick(CITIES)[0], type: rng.pick(TYPES) };
    } else if (roll < 0.84) {
      kind = 'type+dates';
      const from = rng.int(0, 300);
      params = { type: rng.pick(TYPES), from: day(from), to: day(from + rng.int(7, 60)) };
    } else if (roll < 0.92) {
      kind = 'browse';
      params = {};
    } else {
      kind = 'next-page';
      params = rng.next() < 0.5 ? { q: rng.pick(seeded.words) } : { tag: rng.pick(seeded.tags) };
    }
    list.push({ kind, query: new URLSearchParams({ ...params, limit: String(limit) }).toString() });
  }
  return list;
}

const round = (value: number) => Math.round(value * 100) / 100;

interface Sample {
  kind: Kind;
  ms: number;
  ok: boolean;
}

async function drive(
  apiUrl: string,
  work: { kind: Kind; query: string }[],
  deadline: number,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  let next = 0;
  const timed = async (kind: Kind, path: string) => {
    const started = performance.now();
    let ok = false;
    let body: { nextCursor?: string | null } | undefined;
    try {
      const response = await fetch(`${apiUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
      body = (await response.json()) as { nextCursor?: string | null };
      ok = response.status === 200;
    } catch {
      ok = false;
    }
    samples.push({ kind, ms: performance.now() - started, ok });
    return body;
  };
  const worker = async () => {
    while (next < work.length && Date.now() < deadline) {
      const item = work[next++] as { kind: Kind; query: string };
      if (item.kind !== 'next-page') {
        await timed(item.kind, `/v1/events?${item.query}`);
        continue;
      }
      // Only the second page is measured: the first is how a reader gets its cursor.
      const first = await fetch(`${apiUrl}/v1/events?${item.query}`)
        .then((response) => response.json() as Promise<{ nextCursor?: string | null }>)
        .catch(() => undefined);
      if (first?.nextCursor) {
        await timed('next-page', `/v1/events?${item.query}&cursor=${encodeURIComponent(first.nextCursor)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return samples;
}

function summarize(samples: readonly Sample[]) {
  const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  return {
    requests: samples.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    errors: samples.filter((sample) => !sample.ok).length,
  };
}

const READY = 'SEARCH_BENCH_PLATFORM_READY';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);

interface PlatformProcess {
  apiUrl: string;
  eventsDb: string;
  child: ChildProcess;
}

/**
 * The platform runs in a process of its own, as API Gateway and Lambda run apart from their clients: the load
 * generator here must not share (and slow) the event loop of the functions it measures.
 */
async function startPlatformProcess(
  dataDir: string,
  log: Log,
  started: { child?: ChildProcess },
): Promise<PlatformProcess> {
  const ports = { api: 0, aws: 0, smtp: 0, mailUi: 0, postgres: 0 };
  for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), THIS_FILE], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      SEARCH_BENCH_PLATFORM: JSON.stringify({ dataDir, ports }),
      // The database path is what is measured: no cache in front of it.
      REDIS_URL: '',
      OPENSEARCH_URL: '',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.child = child;
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors = `${errors}${chunk}`.slice(-4_000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform did not start in 120 s:\n${errors}`)), 120_000);
    let buffered = '';
    child.stdout?.on('data', (chunk) => {
      buffered += String(chunk);
      const line = buffered.split('\n').find((entry) => entry.startsWith(READY));
      if (!line) {
        buffered = buffered.slice(-10_000);
        return;
      }
      clearTimeout(timer);
      const { apiUrl, eventsDb } = JSON.parse(line.slice(READY.length)) as {
        apiUrl: string;
        eventsDb: string;
      };
      log(`search: platform up at ${apiUrl}`);
      resolve({ apiUrl, eventsDb, child });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`platform exited (${code}) before it was up:\n${errors}`));
    });
  });
}

async function stopPlatformProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    // PostgreSQL did not stop in time: end the whole group this bench started.
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, 20_000);
  await exited;
  clearTimeout(timer);
}

/** The child's side: the events service alone behind the local gateway, until told to stop. */
async function servePlatform(settings: string) {
  const { dataDir, ports } = JSON.parse(settings) as {
    dataDir: string;
    ports: { api: number; aws: number; smtp: number; mailUi: number; postgres: number };
  };
  const [{ startPlatform }, { events }] = await Promise.all([
    import('../../local/platform'),
    import('../../functions/events/manifest'),
  ]);
  const platform = await startPlatform({
    manifests: [events],
    dataDir,
    fresh: true,
    ports,
    schedules: false,
    log: (message) => process.stderr.write(`[search platform] ${message}\n`),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await platform.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.stdout.write(
    `${READY} ${JSON.stringify({ apiUrl: platform.apiUrl, eventsDb: platform.databaseUrls.events })}\n`,
  );
}

async function run(log: Log): Promise<SectionOutcome> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tol-bench-search-'));
  const started: { child?: ChildProcess } = {};
  try {
    log(
      'search: starting PostgreSQL and the local gateway in a child process (events service only, no Redis)',
    );
    const platform = await startPlatformProcess(dataDir, log, started);
    const seeded = await seed(platform.eventsDb, log);
    const deadline = Date.now() + DEADLINE_MS;
    log(`search: ${WARMUP} warm-up requests, then ${REQUESTS} measured, ${CONCURRENCY} at a time`);
    await drive(platform.apiUrl, queries(seeded, WARMUP, 7), deadline);
    const samples = await drive(platform.apiUrl, queries(seeded, REQUESTS, 2024), deadline);
    const overall = summarize(samples);
    const byKind: Record<string, ReturnType<typeof summarize>> = {};
    for (const kind of new Set(samples.map((sample) => sample.kind))) {
      byKind[kind] = summarize(samples.filter((sample) => sample.kind === kind));
    }
    const meetsTarget =
      overall.errors === 0 && overall.requests > 0 && overall.p99Ms < SEARCH_TARGETS.p99MsMax;
    log(
      `search: p50 ${overall.p50Ms} ms, p99 ${overall.p99Ms} ms, ${overall.errors} errors over ${overall.requests} requests`,
    );
    return {
      summary: {
        allMeetTargets: meetsTarget,
        events: EVENTS,
        requests: overall.requests,
        p50Ms: overall.p50Ms,
        p99Ms: overall.p99Ms,
        errors: overall.errors,
        target: SEARCH_TARGETS,
        meetsTarget,
      },
      details: {
        events: EVENTS,
        ...overall,
        target: SEARCH_TARGETS,
        meetsTarget,
        seedMs: seeded.seedMs,
        byKind,
        method: {
          path: 'GET /v1/events over HTTP through the local API gateway and the real handler (zod, middy, SQL), the platform in its own process',
          cache: 'none: no Redis, so every request reads PostgreSQL',
          concurrency: CONCURRENCY,
          warmupRequests: WARMUP,
          latency: 'client-side, from fetch to the whole body read; p99 is the nearest-rank percentile',
          mix: 'q (one or two words) 30%, q with city/date/sort 15%, tag 15%, city+type 12%, type+date range 12%, browse 8%, second page by cursor 8%',
          logLevel: 'WARN (request lines off)',
          deadlineMs: DEADLINE_MS,
        },
      },
      failed: false,
    };
  } catch (error) {
    log(`search: ${(error as Error).stack ?? error}`);
    return {
      summary: { allMeetTargets: false, events: EVENTS, error: (error as Error).message },
      details: { error: (error as Error).message },
      failed: true,
    };
  } finally {
    if (started.child) await stopPlatformProcess(started.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const searchSection: BenchSection = {
  name: 'search',
  description: `catalogue search over ${EVENTS} published events: p50/p99 over HTTP, target p99 < ${SEARCH_TARGETS.p99MsMax} ms`,
  run,
};

// Run as the platform's own process by startPlatformProcess.
const platformSettings = process.env.SEARCH_BENCH_PLATFORM;
if (platformSettings && process.argv[1] === THIS_FILE) await servePlatform(platformSettings);
