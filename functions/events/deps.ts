// Wiring of the events service's real dependencies, built once per container and shared by its handlers. Nothing
// here connects at import: the pool, S3 and Lambda clients are all made on first use.
import { randomUUID } from 'node:crypto';
import { intEnv, once, optionalEnv } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { getLogger } from '../../layers/common/logger';
import { s3MediaStorage } from '../../layers/common/media-storage';
import { relayNow } from '../../layers/common/outbox-relay';
import type { Redis } from '../../layers/common/redis';
import { pgEventStore } from './events.store';
import { type CacheSettings, type EventsDeps, NO_CACHE, type ReadCache } from './model';
import { pgTeamStore } from './teams.store';
import { ticketsInventory } from './tickets.client';

export const cacheSettings = once(
  (): CacheSettings => ({
    prefix: optionalEnv('EVENTS_CACHE_PREFIX', 'events'),
    listTtlSeconds: intEnv('EVENTS_CACHE_LIST_TTL_SECONDS', 60),
    detailTtlSeconds: intEnv('EVENTS_CACHE_DETAIL_TTL_SECONDS', 30),
    lastGoodTtlSeconds: intEnv('EVENTS_CACHE_LAST_GOOD_TTL_SECONDS', 3600),
  }),
);

/** The dependencies around a given read cache (and Redis, for the tickets service's availability snapshot). */
export function buildDeps(cache: ReadCache, redis?: () => Promise<Redis | undefined>): EventsDeps {
  const settings = cacheSettings();
  return {
    store: pgEventStore(() => getPool('events')),
    team: pgTeamStore(() => getPool('events')),
    inventory: ticketsInventory(redis),
    images: s3MediaStorage(),
    cache,
    cacheSettings: settings,
    newId: randomUUID,
    now: () => new Date(),
    relay: () => relayNow('events'),
    availabilityTimeoutMs: intEnv('EVENTS_AVAILABILITY_TIMEOUT_MS', 2_000),
    warn: (message, attributes) => getLogger('events').warn(message, attributes),
  };
}

/**
 * For the functions that neither read nor change the public catalogue (drafts, uploads, organizer views): no
 * Redis client in their bundle. The others use cachedDeps (cached-deps.ts).
 */
export const realDeps = once(() => buildDeps(NO_CACHE));
