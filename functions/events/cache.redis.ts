// The read cache in Redis. Every failure is a miss or a no-op (ADR 004): without Redis the catalogue reads the
// database each time, and only a database outage with no cached copy is an error.
import type { Redis } from '../../layers/common/redis';
import type { ReadCache } from './model';

export function redisReadCache(options: {
  redis: () => Promise<Redis | undefined>;
  prefix: string;
}): ReadCache {
  const { redis, prefix } = options;
  const versionKey = `${prefix}:v`;
  return {
    async version() {
      try {
        const client = await redis();
        if (!client) return undefined;
        return (await client.get(versionKey)) ?? '0';
      } catch {
        return undefined;
      }
    },

    async get<T>(key: string) {
      try {
        const raw = await (await redis())?.get(key);
        return raw ? (JSON.parse(raw) as T) : undefined;
      } catch {
        return undefined;
      }
    },

    async set(entries) {
      try {
        const client = await redis();
        if (!client || entries.length === 0) return;
        const pipeline = client.multi();
        for (const { key, value, ttlSeconds } of entries)
          pipeline.set(key, JSON.stringify(value), 'EX', ttlSeconds);
        await pipeline.exec();
      } catch {
        // A page that could not be cached is read from the database next time.
      }
    },

    async bump() {
      try {
        await (await redis())?.incr(versionKey);
      } catch {
        // Redis is down: nothing fresh can be read from it either; entries written before expire with their TTL.
      }
    },
  };
}
