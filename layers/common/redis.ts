// The Redis client (ElastiCache in AWS: rediss:// with the AUTH token read from REDIS_AUTH_SECRET_ARN at cold start;
// locally plain redis:// without a password). Optional: with REDIS_URL unset or `off`, or Redis down, callers degrade
// (ADR 004).
import { Redis } from 'ioredis';
import { readSecretString } from './aws/secrets';
import { optionalEnv } from './config';
import { ENV } from './env-names';
import { getLogger } from './logger';

/** The value of REDIS_URL that turns Redis off on purpose, where leaving it unset would pick a default. */
export const REDIS_OFF = 'off';

/**
 * The Redis URL from REDIS_URL: `fallback` when it is unset or empty, undefined when it is `off` (degraded mode on
 * purpose, e.g. `REDIS_URL=off npm run dev`, or a test of degraded mode on a machine that runs a Redis).
 */
export function redisUrlFromEnv(fallback?: string): string | undefined {
  const url = optionalEnv(ENV.redisUrl, fallback ?? '');
  return url === '' || url.toLowerCase() === REDIS_OFF ? undefined : url;
}

/** The client made at the first getRedis() (undefined: Redis off), until closeRedis(). */
let shared: { client: Redis | undefined } | undefined;

/** Settled once the AUTH token is read and the client has started connecting (AWS only). */
let authenticating: Promise<void> | undefined;

/**
 * Reads the token, then connects with it. A token that cannot be read leaves Redis off for this container (callers
 * degrade at once rather than wait for a connection that could never log in); the next container tries again.
 */
async function connectWithToken(client: Redis, secretArn: string): Promise<void> {
  try {
    // ioredis sends AUTH with options.password on every (re)connection.
    client.options.password = await readSecretString(secretArn);
    // Closed while the token was read (closeRedis): it stays closed.
    if (shared?.client === client) client.connect().catch(() => undefined);
  } catch (error) {
    client.disconnect();
    getLogger(optionalEnv(ENV.serviceName, 'platform')).warn(
      'Redis AUTH token unreadable: running without Redis',
      {
        reason: (error as Error).message,
      },
    );
  }
}

/** The shared client, or undefined when no Redis is configured. Commands fail fast while Redis is unreachable. */
export function getRedis(): Redis | undefined {
  shared ??= { client: connect() };
  return shared.client;
}

/**
 * Closes the shared client (local runtime shutdown): a process that goes on after its platform stopped (a test file's
 * process running the next file) keeps no connection to a Redis it no longer uses. The next getRedis() connects again.
 */
export async function closeRedis(): Promise<void> {
  const client = shared?.client;
  shared = undefined;
  authenticating = undefined;
  if (!client) return;
  // QUIT on a client that has not connected yet (waiting for its token) would connect it first.
  if (client.status === 'wait') client.disconnect();
  else await client.quit().catch(() => client.disconnect());
}

function connect(): Redis | undefined {
  const url = redisUrlFromEnv();
  if (!url) return undefined;
  const authSecretArn = optionalEnv(ENV.redisAuthSecretArn);
  const client = new Redis(url, {
    // With a token to read first, connecting waits for it (connectWithToken).
    lazyConnect: Boolean(authSecretArn),
    connectTimeout: 1_000,
    commandTimeout: 500,
    maxRetriesPerRequest: 0,
    // Fail commands at once while disconnected instead of queueing them behind a dead connection.
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // Commands that concurrent requests issue in the same tick leave in one socket write: under a refresh storm the
    // writes of the page's few small commands cost more CPU than anything else it does but answering.
    enableAutoPipelining: true,
  });
  // Connection errors surface on each command; without a listener ioredis would log them as unhandled.
  client.on('error', () => undefined);
  if (authSecretArn) authenticating = connectWithToken(client, authSecretArn);
  return client;
}

export type { Redis };

/**
 * Defines a Lua command on `client` (ioredis `defineCommand`) that never joins an automatic pipeline. An automatic
 * pipeline is a `client.pipeline()` made when its first command was queued, holding the commands defined by then: a
 * command defined later and called in the same tick is queued with a callback into a pipeline that lacks it, and when
 * that pipeline answers, ioredis throws an uncaught "results[i] is not iterable" (redis/ioredis#1931) that ends the
 * process. Our scripts are defined at their first use, while other requests' commands may be pipelining.
 */
export function defineScript(client: Redis, name: string, definition: { numberOfKeys: number; lua: string }) {
  client.options.autoPipeliningIgnoredCommands = [
    ...(client.options.autoPipeliningIgnoredCommands ?? []),
    name,
  ];
  client.defineCommand(name, definition);
}

/**
 * The client once it is connected, or undefined when Redis is not configured or not reachable right now. The first
 * call in a fresh container waits briefly for the connection; while Redis is down, callers get undefined at once.
 */
export async function readyRedis(waitMs = 300): Promise<Redis | undefined> {
  const client = getRedis();
  if (!client) return undefined;
  if (client.status === 'ready') return client;
  // A fresh container in AWS reads the AUTH token first (once); the wait for the connection starts after it.
  if (authenticating) await authenticating;
  if (client.status === 'connecting' || client.status === 'connect' || client.status === 'wait') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done() {
        clearTimeout(timer);
        client?.off('ready', done);
        resolve();
      }
      client.once('ready', done);
    });
  }
  // The status changed while we waited; TypeScript's narrowing from above does not know that.
  return (client.status as string) === 'ready' ? client : undefined;
}
