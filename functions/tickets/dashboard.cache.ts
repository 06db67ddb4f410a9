// Dashboard figures cached in Redis for a few seconds (ADR 004): an organizer refreshing a chart, or a team watching
// one sale, costs the database one read per key and TTL. Without Redis, or with it down, every read goes to the database.
import { getLogger } from '../../layers/common/logger';
import { readyRedis } from '../../layers/common/redis';

export const CACHE_TTL_SECONDS = 5;
const PREFIX = 'tickets:dashboard:v1';

/** A cache key from its parts; the parts are ids and validated query values, joined unambiguously. */
export const cacheKey = (...parts: (string | undefined)[]) =>
  [PREFIX, ...parts.map((part) => encodeURIComponent(part ?? ''))].join(':');

/** The JSON text under `key`, or `load()` serialised and stored for CACHE_TTL_SECONDS. Errors are never cached. */
export async function cachedJson(
  key: string,
  load: () => Promise<unknown>,
): Promise<{ body: string; hit: boolean }> {
  const redis = await readyRedis();
  if (redis) {
    const cached = await redis.get(key).catch(() => null);
    if (cached !== null) return { body: cached, hit: true };
  }
  const body = JSON.stringify(await load());
  if (redis) {
    await redis
      .set(key, body, 'EX', CACHE_TTL_SECONDS)
      .catch((error: unknown) =>
        getLogger('tickets').warn('dashboard cache write failed', { error: error as Error }),
      );
  }
  return { body, hit: false };
}

export const jsonHeaders = (hit: boolean) => ({
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-cache': hit ? 'hit' : 'miss',
});
