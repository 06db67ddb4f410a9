// One pg pool per service per container. Locally: <SERVICE>_DATABASE_URL. In AWS: the RDS Proxy endpoint in
// <SERVICE>_DB_HOST with credentials from the Secrets Manager secret named by <SERVICE>_DB_SECRET_ARN.
import pg from 'pg';
import { readSecretString } from './aws/secrets';
import { intEnv, optionalEnv, requireEnv } from './config';
import { databaseHostEnv, databaseSecretArnEnv, databaseUrlEnv, ENV } from './env-names';
import { getLogger } from './logger';
import { timeQueuedStatements, timeStatements } from './timings';

/** Pool sizes and timeouts unless the environment says otherwise (see the README's variable table). */
export const POOL_DEFAULTS = {
  /** A Lambda container serves one request at a time; the local runtime serves many from one process. */
  max: 4,
  /** An idle connection is closed after this long (RDS Proxy keeps its own pool behind). */
  idleTimeoutMs: 30_000,
  connectTimeoutMs: 3_000,
  /** A statement still running after this is cancelled, so a stuck query frees its connection. */
  statementTimeoutMs: 5_000,
} as const;

const pools = new Map<string, Promise<pg.Pool>>();

export interface DbSecret {
  username: string;
  password: string;
  dbname?: string;
  port?: number;
}

/** The current value of a database secret in Secrets Manager (the RDS layout: username, password, dbname, port). */
export async function readDatabaseSecret(secretArn: string): Promise<DbSecret> {
  return JSON.parse(await readSecretString(secretArn)) as DbSecret;
}

async function connectionConfig(service: string): Promise<pg.PoolConfig> {
  const url = optionalEnv(databaseUrlEnv(service));
  if (url) return { connectionString: url };
  // The service's app user in every function; the master user in its migrate function only (ServiceFunction.bindDatabase).
  // Read once per container: the alternating-users rotation leaves the previous login valid until the next rotation,
  // 30 days later, far beyond a container's life.
  const secret = await readDatabaseSecret(requireEnv(databaseSecretArnEnv(service)));
  return {
    host: requireEnv(databaseHostEnv(service)),
    port: secret.port ?? 5432,
    database: secret.dbname ?? service,
    user: secret.username,
    password: secret.password,
    // RDS Proxy requires TLS; the Lambda runtime trusts the Amazon root CAs.
    ssl: { rejectUnauthorized: true },
  };
}

/** The pool of a service's own database, created at first use and kept for the life of the container. */
export function getPool(service: string): Promise<pg.Pool> {
  let pool = pools.get(service);
  if (!pool) {
    pool = connectionConfig(service).then((config) => {
      const created = new pg.Pool({
        ...config,
        max: intEnv(ENV.dbPoolMax, POOL_DEFAULTS.max),
        idleTimeoutMillis: POOL_DEFAULTS.idleTimeoutMs,
        connectionTimeoutMillis: intEnv(ENV.dbConnectTimeoutMs, POOL_DEFAULTS.connectTimeoutMs),
        statement_timeout: intEnv(ENV.dbStatementTimeoutMs, POOL_DEFAULTS.statementTimeoutMs),
        application_name: `tol-${service}`,
        // Queries queued without awaiting go out together (node-postgres pipelining), e.g. a BEGIN with the
        // statement after it: one round trip. Awaited one at a time, queries behave as without it.
        pipeline: true,
      });
      // An idle connection the server or RDS Proxy closes must not crash the process; the pool replaces it.
      created.on('error', (error: Error & { code?: string }) =>
        getLogger(service).warn('idle database connection lost', { reason: error.message, code: error.code }),
      );
      created.on('connect', timeStatements);
      timeQueuedStatements(created);
      // A connection lost while checked out (the server killed or restarted between two statements) emits 'error'
      // on its client, where the pool no longer listens: unheard, it ends the process. Heard, the client's next
      // statement fails instead, a transient error its caller retries or answers with 503.
      created.on('connect', (client) =>
        client.on('error', (error: Error & { code?: string }) =>
          getLogger(service).warn('database connection lost while in use', {
            reason: error.message,
            code: error.code,
          }),
        ),
      );
      return created;
    });
    pool.catch(() => pools.delete(service));
    pools.set(service, pool);
  }
  return pool;
}

export interface TransactionOptions<T> {
  /** Default: the database's (READ COMMITTED). */
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  readOnly?: boolean;
  /**
   * Send BEGIN together with the first statement `work` issues (the pool pipelines): one round trip fewer. `work` must
   * issue that statement before its first await.
   */
  pipelined?: boolean;
  /** Commit only when this holds for the result; otherwise roll back and still return the result. Default: commit. */
  commitWhen?: (result: T) => boolean;
}

const beginStatement = ({ isolation, readOnly }: Pick<TransactionOptions<never>, 'isolation' | 'readOnly'>) =>
  ['BEGIN', isolation ? `ISOLATION LEVEL ${isolation.toUpperCase()}` : '', readOnly ? 'READ ONLY' : '']
    .filter(Boolean)
    .join(' ');

/**
 * Waits for every promise of a pipeline, so nothing is still in flight on the client when it goes back to the pool;
 * then throws the first failure.
 */
async function settled<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

/** Runs `work` in a transaction on one client; rolls back on any error. */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: TransactionOptions<T> = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    const begin = client.query(beginStatement(options));
    let result: T;
    if (options.pipelined) [, result] = await settled(begin, work(client));
    else {
      await begin;
      result = await work(client);
    }
    await client.query(options.commitWhen && !options.commitWhen(result) ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** A store function that takes the pool first, as a handler's deps hold it: bound to its service's pool. */
export type PoolBound<F> = F extends (db: pg.Pool, ...args: infer A) => infer R
  ? (...args: A) => Promise<Awaited<R>>
  : never;

/**
 * Store functions written as `(pool, ...args)`, bound to a pool that is resolved on first call (nothing connects at
 * import), so a service's deps can hand them to handlers and tests can hand in their own.
 */
export function bindPool<S extends Record<string, (db: pg.Pool, ...args: never[]) => unknown>>(
  pool: () => Promise<pg.Pool>,
  functions: S,
): { [K in keyof S]: PoolBound<S[K]> } {
  return Object.fromEntries(
    Object.entries(functions).map(([name, fn]) => [
      name,
      async (...args: unknown[]) =>
        (fn as (db: pg.Pool, ...rest: unknown[]) => unknown)(await pool(), ...args),
    ]),
  ) as { [K in keyof S]: PoolBound<S[K]> };
}

/** Closes every pool (local runtime shutdown, tests). */
export async function closePools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map(async (pool) => (await pool.catch(() => undefined))?.end()));
}

export type { pg };
