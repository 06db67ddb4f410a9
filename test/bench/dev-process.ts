// `npm run dev` in a child process, as a developer runs it, for the benches: the bench's own HTTP client and JSON
// parsing then never share the functions' event loop. Free ports, a throwaway data folder, function logs at WARN.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request, setGlobalDispatcher } from 'undici';
import { ROOT } from '../../local/platform';
import { spawnDev } from '../support/dev-runtime';
import { freePort, platformPorts } from '../support/ports';
import { collectOutput, waitForHealthy } from '../support/processes';
import { type RedisServer, startRedis } from '../support/redis-server';
import { startTestIssuer } from '../support/tokens';
import type { Log, SectionOutcome } from './section';

export interface DevProcess {
  apiUrl: string;
  /** The service's own database (its local role), e.g. for seeding and reading figures back. */
  databaseUrl(service: string): string;
  /** Whether the runtime found the Redis it was given. */
  redis: boolean;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startDevProcess(options: {
  label: string;
  log: Log;
  /** Extra environment, e.g. JWT_JWKS_URL of a bench issuer, REDIS_URL, DB_POOL_MAX, NODE_OPTIONS. */
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
}): Promise<DevProcess> {
  const [ports, closed] = await Promise.all([platformPorts(), freePort()]);
  const dataDir = mkdtempSync(join(tmpdir(), `tol-bench-${options.label}-`));
  // Stopped through its process group (spawnDev), so stopping it stops PostgreSQL with it.
  const child = spawnDev(
    process.execPath,
    [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/dev.ts', '--fresh', ...(options.args ?? [])],
    {
      ports,
      dataDir,
      env: {
        // Without a Redis of the bench's own, a closed port rather than whatever may listen on 6379.
        REDIS_URL: `redis://127.0.0.1:${closed}`,
        POWERTOOLS_LOG_LEVEL: 'WARN',
        ...options.env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  // The last lines it printed on stderr: why it did not start, and whether Redis was reachable.
  const lines: string[] = [];
  collectOutput(child, lines, 80);
  const errors = () => lines.join('\n');
  const stop = async () => {
    if (child.pid && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid, 'SIGINT');
        await exited;
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const apiUrl = `http://localhost:${ports.api}`;
  try {
    await waitForHealthy(child, `${apiUrl}/v1/health`, { timeoutMs: options.timeoutMs ?? 120_000 });
  } catch (error) {
    await stop();
    throw new Error(`platform did not start (${(error as Error).message}):\n${errors()}`);
  }
  options.log(`${options.label}: platform up at ${apiUrl}`);
  return {
    apiUrl,
    databaseUrl: (service) => `postgres://${service}:${service}-local@127.0.0.1:${ports.postgres}/${service}`,
    redis: !errors().includes('Redis at'),
    child,
    stop,
  };
}

/**
 * Signs access tokens the runtime accepts (it trusts the bench issuer through JWT_JWKS_URL) for a user id: a verified
 * attendee of the web client, as a signed-in buyer's token carries.
 */
export function benchTokens(
  issuer: Awaited<ReturnType<typeof startTestIssuer>>,
  apiUrl: string,
): (userId: string) => Promise<string> {
  return (userId) =>
    issuer.sign(
      {
        iss: apiUrl,
        aud: 'ticketorleaveit-api',
        sub: userId,
        client_id: 'web',
        scope: 'api',
        email: `bench-${userId}@example.com`,
        email_verified: true,
        given_name: 'Bench',
      },
      { expiresIn: '30m' },
    );
}

export interface BenchPlatform extends DevProcess {
  /** The issuer the runtime trusts, for tokens with other claims than `sign`'s (an organizer, a door). */
  issuer: Awaited<ReturnType<typeof startTestIssuer>>;
  /** A signed-in, verified attendee's access token for a user id (see benchTokens). */
  sign: (userId: string) => Promise<string>;
}

/**
 * A bench section's platform from start to stop: an issuer the runtime trusts, a Redis when asked for, `npm run dev`
 * in a child process, and everything stopped again however the section ends. A section that throws is reported as
 * failed with its error (logged too), so `npm run bench` goes on with the next section.
 */
export async function withBenchPlatform(
  options: {
    label: string;
    log: Log;
    /** Client sockets for the bench's HTTP client (undici's global agent), e.g. one per concurrent buyer. */
    connections?: number;
    /** --ephemeral: no second copy of the databases kept; the load benches take it. */
    ephemeral?: boolean;
    /** The flash-sale tuning of the load benches: DB_POOL_MAX from the bench's env. */
    tuned?: boolean;
    /** 'required' fails the section without a redis-server; 'optional' goes on without one (and logs it). */
    redis?: 'required' | 'optional';
    env?: Record<string, string>;
  },
  body: (platform: BenchPlatform) => Promise<SectionOutcome>,
): Promise<SectionOutcome> {
  const { label, log } = options;
  if (options.connections)
    setGlobalDispatcher(
      new Agent({ connections: options.connections, pipelining: 1, keepAliveTimeout: 30_000 }),
    );
  const issuer = await startTestIssuer();
  let redis: RedisServer | undefined;
  let platform: DevProcess | undefined;
  try {
    if (options.redis)
      redis = await startRedis().catch((error: unknown) => {
        if (options.redis === 'required') throw error;
        log(`${label}: no Redis (${(error as Error).message.split('\n')[0]}); going on without it`);
        return undefined;
      });
    platform = await startDevProcess({
      label,
      log,
      args: options.ephemeral ? ['--ephemeral'] : [],
      env: {
        JWT_JWKS_URL: issuer.jwksUrl,
        ...(redis ? { REDIS_URL: redis.url } : {}),
        // The runtime's Node options for every section (e.g. a CPU profile of its processes).
        NODE_OPTIONS: process.env.BENCH_PLATFORM_NODE_OPTIONS ?? '',
        ...(options.tuned ? { DB_POOL_MAX: process.env.BENCH_DB_POOL_MAX ?? '16' } : {}),
        ...options.env,
      },
    });
    return await body({ ...platform, issuer, sign: benchTokens(issuer, platform.apiUrl) });
  } catch (error) {
    const message = (error as Error).message;
    log(`${label}: ${message}`);
    return { summary: { allMeetTargets: false, error: message }, details: { error: message }, failed: true };
  } finally {
    await platform?.stop();
    await redis?.stop();
    await issuer.close();
  }
}

/**
 * Creates and publishes an event through the API as its organizer (`token`), a month out in Paris: the tiers and any
 * other field of the create request given in `fields`. Answers the event's id and its tiers' ids in order.
 */
export async function publishBenchEvent(
  apiUrl: string,
  token: string,
  fields: {
    name: string;
    description: string;
    capacity: number;
    ticketTiers: { name: string; price: number; currency: string; quantity: number }[];
    [field: string]: unknown;
  },
): Promise<{ eventId: string; tierIds: string[] }> {
  const call = async (path: string, body?: unknown) => {
    const response = await request(`${apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text) as { id: string; ticketTiers: { id: string }[] };
  };
  const startsAt = Date.now() + 30 * 86_400_000;
  const event = await call('/v1/events', {
    type: 'concert',
    tags: ['bench'],
    timezone: 'Europe/Paris',
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(startsAt + 3 * 3_600_000).toISOString(),
    location: { venue: 'Accor Arena', address: '8 boulevard de Bercy', city: 'Paris', country: 'France' },
    ...fields,
  });
  await call(`/v1/events/${event.id}/publish`);
  return { eventId: event.id, tierIds: event.ticketTiers.map((tier) => tier.id) };
}
