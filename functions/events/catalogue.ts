// The public catalogue: search and event pages, read through the cache. A fresh cache entry belongs to one catalogue
// version (every change to a public event moves the version on); a "last good" copy of each page outlives versions
// and is what the catalogue serves, marked degraded, while the database is down. Remaining tickets are not cached
// here: they come from the tickets service's snapshot, outdated by every change of the seats (events/contracts).
import { createHash } from 'node:crypto';
import { NotFoundError } from '../../layers/common/errors';
import { decodeCatalogueCursor, encodeCatalogueCursor } from './cursor';
import { DatabaseUnavailableError, type EventRecord, type EventsDeps } from './model';
import type { CatalogueQueryInput } from './requests.schemas';
import {
  AVAILABILITY_UNKNOWN,
  type CatalogueEntry,
  catalogueEntry,
  type Degraded,
  FROM_LAST_CACHE,
  IMAGE_URL_TTL_SECONDS,
  publicEventView,
  type Sales,
} from './views';

export const DEFAULT_PAGE_SIZE = 20;

interface CachedPage {
  items: CatalogueEntry[];
  nextCursor: string | null;
}

const digest = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 32);

/** Rejects a promise that takes longer than `ms`. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Reads through the cache: the fresh entry, else the database (refreshing both entries), else the last good copy. */
async function readThrough<T>(
  deps: EventsDeps,
  keys: { fresh: (version: string) => string; lastGood: string },
  ttlSeconds: number,
  load: () => Promise<T | undefined>,
): Promise<{ value: T | undefined; degraded?: Degraded }> {
  const { cache } = deps;
  const version = await cache.version();
  if (version !== undefined) {
    const cached = await cache.get<T>(keys.fresh(version));
    if (cached !== undefined) return { value: cached };
  }
  let value: T | undefined;
  try {
    value = await load();
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    const last = await cache.get<T>(keys.lastGood);
    if (last === undefined) throw error;
    deps.warn('events database unavailable: serving the last cached copy', { key: keys.lastGood });
    return { value: last, degraded: FROM_LAST_CACHE };
  }
  if (value !== undefined && version !== undefined) {
    await cache.set([
      { key: keys.fresh(version), value, ttlSeconds },
      { key: keys.lastGood, value, ttlSeconds: deps.cacheSettings.lastGoodTtlSeconds },
    ]);
  }
  return { value };
}

async function imageUrl(deps: EventsDeps, key: string | null): Promise<string | null> {
  return key ? deps.images.viewUrl(key, IMAGE_URL_TTL_SECONDS) : null;
}

/** A page of published, upcoming events that match, soonest first or most relevant first. */
export async function searchCatalogue(deps: EventsDeps, input: CatalogueQueryInput) {
  const sort = input.sort ?? (input.q ? 'relevance' : 'date');
  const limit = input.limit ?? DEFAULT_PAGE_SIZE;
  const after = input.cursor ? decodeCatalogueCursor(input.cursor, sort) : undefined;
  const search = {
    q: input.q || undefined,
    types: input.type ? [...new Set(input.type)].sort() : undefined,
    tags: input.tag ? [...new Set(input.tag)].sort() : undefined,
    city: input.city?.toLowerCase(),
    from: input.from,
    to: input.to,
    sort,
    limit,
    after,
  };
  const { prefix, listTtlSeconds } = deps.cacheSettings;
  const hash = digest({ ...search, after: input.cursor ?? null });
  const { value, degraded } = await readThrough<CachedPage>(
    deps,
    { fresh: (version) => `${prefix}:list:${version}:${hash}`, lastGood: `${prefix}:list:last:${hash}` },
    listTtlSeconds,
    async () => {
      const rows = await deps.store.search({ ...search, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor =
        rows.length > limit && last
          ? encodeCatalogueCursor(
              sort === 'relevance'
                ? { sort, rank: last.rank ?? 0, startsAt: last.event.startsAt, id: last.event.id }
                : { sort, startsAt: last.event.startsAt, id: last.event.id },
            )
          : null;
      return { items: page.map((row) => catalogueEntry(row.event, row.rank)), nextCursor };
    },
  );
  const page = value as CachedPage;
  const items = await Promise.all(
    page.items.map(async ({ imageKey, ...item }) => ({ ...item, imageUrl: await imageUrl(deps, imageKey) })),
  );
  return { page: { items, nextCursor: page.nextCursor }, degraded: degraded ? [degraded] : [] };
}

/**
 * Availability of events by id: `none` for those never published (no inventory exists), `unknown` for all the
 * others when tickets cannot answer in time, which is a degraded answer, not an error.
 */
export async function salesOf(
  deps: EventsDeps,
  events: readonly EventRecord[],
  correlationId: string,
  options: { shared?: boolean } = {},
): Promise<Map<string, Sales>> {
  const sales = new Map<string, Sales>();
  const ids: string[] = [];
  for (const event of events) {
    if (event.publishedAt === null) sales.set(event.id, { kind: 'none' });
    else ids.push(event.id);
  }
  if (ids.length === 0) return sales;
  try {
    const found = await withTimeout(
      deps.inventory.availability(ids, correlationId, options),
      deps.availabilityTimeoutMs,
      'tickets.availability',
    );
    for (const id of ids) {
      const availability = found.get(id);
      if (!availability) deps.warn('published event without inventory', { event_id: id });
      sales.set(id, availability ? { kind: 'known', availability } : { kind: 'unknown' });
    }
  } catch (error) {
    deps.warn('availability unknown: the tickets service did not answer', {
      error: (error as Error).message,
    });
    for (const id of ids) sales.set(id, { kind: 'unknown' });
  }
  return sales;
}

/**
 * A public event page: published events (also once they are over) and cancelled ones, which a buyer who follows an
 * old link must see as cancelled. Drafts do not exist for the public.
 */
export async function viewPublicEvent(deps: EventsDeps, id: string, correlationId: string) {
  const { prefix, detailTtlSeconds } = deps.cacheSettings;
  const { value: event, degraded } = await readThrough<EventRecord>(
    deps,
    { fresh: (version) => `${prefix}:event:${version}:${id}`, lastGood: `${prefix}:event:last:${id}` },
    detailTtlSeconds,
    () => deps.store.findPublic(id),
  );
  if (!event) throw new NotFoundError('There is no published event with this id.');
  // A cancelled event sells nothing: no need to ask.
  const sales: Sales =
    event.status === 'cancelled'
      ? { kind: 'none' }
      : ((await salesOf(deps, [event], correlationId, { shared: true })).get(event.id) ?? {
          kind: 'unknown',
        });
  const urls = await Promise.all(event.images.map((key) => deps.images.viewUrl(key, IMAGE_URL_TTL_SECONDS)));
  const notes = [
    ...(degraded ? [degraded] : []),
    ...(sales.kind === 'unknown' ? [AVAILABILITY_UNKNOWN] : []),
  ];
  const view = publicEventView(event, sales, urls);
  // The image URLs are signed anew on every request, so the ETag names the images by key and by the half-lifetime
  // in which they were signed: a 304 never leaves a client holding URLs about to expire.
  const signedIn = Math.floor(deps.now().getTime() / ((IMAGE_URL_TTL_SECONDS * 1000) / 2));
  const etag = { ...view, images: event.images, signedIn, degraded: notes };
  return { view, degraded: notes, etag };
}
