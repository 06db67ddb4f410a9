// The events service's dependencies with the Redis read cache, for the functions that read the public catalogue or
// change it (and so must move its version on). Only these bundle the Redis client, and they load it on first use:
// a cold start does not pay for evaluating it.
import { once } from '../../layers/common/config';
import { redisReadCache } from './cache.redis';
import { buildDeps, cacheSettings } from './deps';

const redis = once(() => import('../../layers/common/redis'));

const readyRedis = async () => (await redis()).readyRedis();

export const cachedDeps = once(() =>
  buildDeps(redisReadCache({ redis: readyRedis, prefix: cacheSettings().prefix }), readyRedis),
);
