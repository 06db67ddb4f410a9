// The events service's model and the ports its rules use (storage, the tickets service, images, the read cache);
// adapters implement them (events.store.ts, tickets.client.ts, layers/common/media-storage.ts, cache.redis.ts), tests fake them.
import type { EventAvailability, InventorySyncRequest } from '../../events/contracts/catalogue';
import { ServiceUnavailableError } from '../../layers/common/errors';
import type { Envelope } from '../../layers/common/messages';
import type { CatalogueCursor, OrganizerCursor } from './cursor';
import type { EventType, ImageContentType, Location, Tier } from './rules';

export type EventStatus = 'draft' | 'published' | 'cancelled';

export interface EventRecord {
  id: string;
  organizerId: string;
  status: EventStatus;
  name: string;
  type: EventType;
  description: string;
  /** ISO-8601 UTC, millisecond precision. */
  startsAt: string;
  endsAt: string;
  timezone: string;
  location: Location;
  capacity: number;
  tiers: Tier[];
  tags: string[];
  /** Object keys of the attached images, in display order. */
  images: string[];
  cancelReason: string | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  cancelledAt: string | null;
}

export interface CatalogueSearch {
  q?: string;
  types?: string[];
  tags?: string[];
  /** Compared without regard to letter case. */
  city?: string;
  from?: string;
  to?: string;
  sort: 'date' | 'relevance';
  limit: number;
  after?: CatalogueCursor;
}

export interface Ranked {
  event: EventRecord;
  rank?: number;
}

export interface EventChange {
  next: EventRecord;
  /** Messages that commit with the change (the outbox). */
  messages?: Envelope[];
}

export interface EventStore {
  insert(event: EventRecord): Promise<void>;
  /** The event if this organizer owns it. */
  findOwn(id: string, organizerId: string): Promise<EventRecord | undefined>;
  /** The event if it is public (published or cancelled); drafts are nobody's business but their organizer's. */
  findPublic(id: string): Promise<EventRecord | undefined>;
  listOwn(
    organizerId: string,
    options: { status?: EventStatus; limit: number; after?: OrganizerCursor },
  ): Promise<EventRecord[]>;
  /** Published events starting after now that match, in the requested order; `limit` rows at most. */
  search(query: CatalogueSearch): Promise<Ranked[]>;
  /**
   * Locks the organizer's event and runs `work` on it: what it returns is saved, with its messages, in the same
   * transaction; null saves nothing; a throw changes nothing. Undefined when the organizer has no such event.
   */
  change(
    id: string,
    organizerId: string,
    work: (current: EventRecord) => Promise<EventChange | null>,
  ): Promise<{ before: EventRecord; after: EventRecord } | undefined>;
}

/** The events database cannot be reached: writes answer 503, reads fall back on the cache. */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('The events database is unavailable; try again shortly.');
  }
}

/** The tickets service did not answer (down, timed out, or its circuit is open). */
export class InventoryUnavailableError extends ServiceUnavailableError {
  constructor(detail = 'The tickets service is unavailable; nothing was changed. Try again shortly.') {
    super(detail);
  }
}

export interface Inventory {
  /** Sets up or changes the event's inventory; rethrows the tickets service's typed errors (409 below-sold...). */
  sync(request: InventorySyncRequest, correlationId: string): Promise<EventAvailability>;
  /**
   * Availability of these events, by event id; throws InventoryUnavailableError when tickets cannot answer. With
   * `shared`, a snapshot up to SNAPSHOT_TTL_MS old will do (public pages); without, it is read from tickets now
   * (what an organizer sees after a change).
   */
  availability(
    eventIds: string[],
    correlationId: string,
    options?: { shared?: boolean },
  ): Promise<Map<string, EventAvailability>>;
}

export interface StoredImage {
  contentType: string | undefined;
  sizeBytes: number | undefined;
}

export interface ImageStorage {
  presignUpload(request: {
    key: string;
    contentType: ImageContentType;
    maxBytes: number;
    expiresInSeconds: number;
  }): Promise<{ url: string; fields: Record<string, string> }>;
  /** What is stored under the key, or undefined when nothing is. */
  inspect(key: string): Promise<StoredImage | undefined>;
  viewUrl(key: string, expiresInSeconds: number): Promise<string>;
  remove(key: string): Promise<void>;
}

/** The read cache (Redis). Every method degrades: misses and no-ops when the cache is unavailable. */
export interface ReadCache {
  /** The catalogue's version, part of every fresh key; undefined when the cache is unavailable. */
  version(): Promise<string | undefined>;
  get<T>(key: string): Promise<T | undefined>;
  set(entries: { key: string; value: unknown; ttlSeconds: number }[]): Promise<void>;
  /** Moves the catalogue to a new version: every fresh entry is stale at once. */
  bump(): Promise<void>;
}

/** No cache at all: every read goes to the database, and there is no version to move on. */
export const NO_CACHE: ReadCache = {
  version: async () => undefined,
  get: async () => undefined,
  set: async () => undefined,
  bump: async () => undefined,
};

export interface CacheSettings {
  /** Prefix of every key (one Redis may serve several platforms). */
  prefix: string;
  listTtlSeconds: number;
  detailTtlSeconds: number;
  /** How long the last good copy of a page stays, to be served while the database is down. */
  lastGoodTtlSeconds: number;
}

export interface EventsDeps {
  store: EventStore;
  inventory: Inventory;
  images: ImageStorage;
  cache: ReadCache;
  cacheSettings: CacheSettings;
  newId: () => string;
  now: () => Date;
  /** Publishes the outbox after a commit (best effort; a schedule is the safety net). */
  relay: () => Promise<void>;
  /** How long a read waits for the tickets service before showing availability as unknown. */
  availabilityTimeoutMs: number;
  warn: (message: string, attributes: Record<string, unknown>) => void;
}
