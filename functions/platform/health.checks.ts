// The dependency probes behind /v1/health, each bounded by a timeout so a hung dependency cannot hang the check.
import { connect } from 'node:net';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../../layers/common/aws/s3';
import { optionalEnv } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { ENV } from '../../layers/common/env-names';
import { getLogger } from '../../layers/common/logger';
import type { ServiceName } from '../../layers/common/manifest';
import { getRedis, readyRedis } from '../../layers/common/redis';
import { type BreakerState, breakerStates } from '../../layers/common/resilience';
import { runtimeStates } from '../../layers/common/runtime-status';
import { platform } from './manifest';
import type { HealthResponse } from './schemas';

type Probe = () => Promise<string | undefined>;
export interface HealthDeps {
  databases: Partial<Record<ServiceName, Probe>>;
  others: Record<string, Probe>;
  timeoutMs: number;
  /** What the hosting runtime says of a dependency (locally: PostgreSQL 'up' or 'restarting'). */
  runtime?: () => Record<string, string>;
  /** This process's named circuit breakers (internal calls, by target). */
  breakers?: () => Record<string, BreakerState>;
}

const PROBE_TIMEOUT_MS = 1_500;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function tcpProbe(host: string, port: number): Probe {
  return () =>
    new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => {
        socket.end();
        resolve(undefined);
      });
      socket.once('error', reject);
    });
}

export function realHealthDeps(): HealthDeps {
  const databases: HealthDeps['databases'] = {};
  for (const service of platform.routes.health.binds.pingDatabases) {
    databases[service] = async () => {
      await (await getPool(service)).query('SELECT 1');
      return undefined;
    };
  }
  const others: Record<string, Probe> = {};
  others.redis = async () => {
    if (!getRedis())
      throw new NotConfigured(
        'Redis is off (REDIS_URL unset or off): rate limits are per container, nothing cached',
      );
    // A health check may wait for a first connection as long as any probe; requests wait only briefly.
    const redis = await readyRedis(PROBE_TIMEOUT_MS);
    if (!redis)
      throw new NotConfigured('Redis does not answer: rate limits are per container and nothing is cached');
    await redis.ping();
    return undefined;
  };
  const bucket = optionalEnv(ENV.mediaBucket);
  if (bucket) {
    others.objectStorage = async () => {
      await s3Client().send(new HeadBucketCommand({ Bucket: bucket }));
      return undefined;
    };
  }
  const smtpHost = optionalEnv(ENV.smtpHost);
  if (smtpHost) others.mail = tcpProbe(smtpHost, Number(optionalEnv(ENV.smtpPort, '1025')));
  const openSearch = optionalEnv(ENV.openSearchUrl);
  others.logs = async () => {
    if (!openSearch) throw new NotConfigured('OPENSEARCH_URL is not set: logs stay in the console');
    const response = await fetch(new URL('/_cluster/health', openSearch));
    if (!response.ok) throw new Error(`OpenSearch answered ${response.status}`);
    return ((await response.json()) as { status?: string }).status;
  };
  return { databases, others, timeoutMs: PROBE_TIMEOUT_MS, runtime: runtimeStates, breakers: breakerStates };
}

type Reported = HealthResponse['dependencies'][string];
/** Known without probing: a dependency its runtime is restarting, and circuits that have opened. */
function reported(deps: HealthDeps): [string, Reported][] {
  const runtime = Object.entries(deps.runtime?.() ?? {}).map(([name, state]): [string, Reported] => [
    name,
    state === 'up'
      ? { status: 'up' }
      : { status: 'degraded', detail: `${state}: the local runtime is starting it again` },
  ]);
  const circuits = Object.entries(deps.breakers?.() ?? {}).map(([name, state]): [string, Reported] => [
    `circuit:${name}`,
    state === 'closed'
      ? { status: 'up', detail: 'closed' }
      : { status: 'degraded', detail: `${state}: calls fail at once until a trial call succeeds` },
  ]);
  return [...runtime, ...circuits];
}

/** Our own "not configured" reasons are safe to show; raw driver errors can name hosts and accounts, so they are logged only. */
class NotConfigured extends Error {}
function publicReason(error: unknown): string {
  if (error instanceof NotConfigured) return error.message;
  getLogger('platform').warn('dependency check failed', { reason: (error as Error).message });
  return (error as Error).message.startsWith('no answer within') ? (error as Error).message : 'unreachable';
}

export async function checkDependencies(deps: HealthDeps): Promise<HealthResponse> {
  // Read before probing: a restart that ends while the probes run is still reported as it was seen.
  const known = reported(deps);
  const entries = [
    ...Object.entries(deps.databases).map(([name, probe]) => [`database:${name}`, probe, true] as const),
    ...Object.entries(deps.others).map(([name, probe]) => [name, probe, false] as const),
  ];
  const results = await Promise.all(
    entries.map(async ([name, probe, isDatabase]) => {
      const started = Date.now();
      try {
        const detail = await withTimeout((probe as Probe)(), deps.timeoutMs);
        return {
          name,
          isDatabase,
          status: { status: 'up' as const, latencyMs: Date.now() - started, ...(detail ? { detail } : {}) },
        };
      } catch (error) {
        return {
          name,
          isDatabase,
          status: { status: 'degraded' as const, detail: publicReason(error) },
        };
      }
    }),
  );
  const databases = results.filter((result) => result.isDatabase);
  const anyDatabaseUp = databases.length === 0 || databases.some((result) => result.status.status === 'up');
  const allUp =
    results.every((result) => result.status.status === 'up') &&
    known.every(([, status]) => status.status === 'up');
  return {
    status: !anyDatabaseUp ? 'unavailable' : allUp ? 'ok' : 'degraded',
    time: new Date().toISOString(),
    dependencies: Object.fromEntries([
      ...results.map((result) => [result.name, result.status] as const),
      ...known,
    ]),
  };
}
