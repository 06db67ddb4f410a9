// The events service's model and the ports its rules use (storage, the tickets service, images, the read cache);
// adapters implement them (events.store.ts, tickets.client.ts, layers/common/media-storage.ts, cache.redis.ts), tests fake them.
import type { EventAvailability, InventorySyncRequest, TeamRole } from '../../events/contracts/catalogue';
import { ServiceUnavailableError } from '../../layers/common/errors';
import type { Envelope } from '../../layers/common/messages';
import type { CatalogueCursor, OrganizerCursor } from './cursor';
import type { EventType, ImageContentType, Location, Tier } from './rules';
import type { TeamStore } from './team';

export type EventStatus = 'draft' | 'published' | 'cancelled';

/** What the caller is to an event: its organizer, or a member of the organizer's team. */
export type EventRole = 'owner' | TeamRole;

/** One line of an event's audit: who did what, and the fields it changed ({ field: { from, to } }). */
export interface AuditEntry {
  id: string;
  eventId: string | null;
  actorId: string;
  action: string;
  changes: Record<string, unknown>;
  at: string;
}

/** What a change records in the audit; the store adds the event, the actor and the time. */
export interface AuditNote {
  action: string;
  changes?: Record<string, unknown>;
}

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
  /** How long a paid order holds its seats while the buyer pays. */
  holdMinutes: number;
  /** An attendee's cancellation is refunded until this many hours before the start; null: no refunds. */
  refundUntilHoursBefore: number | null;
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
  /** The audit line that commits with the change. */
  audit?: AuditNote;
}

export interface EventStore {
  /** Saves a new event with its `created` audit line (the organizer is the actor). */
  insert(event: EventRecord, audit: AuditNote): Promise<void>;
  /** The event and the user's role on it, if they own it or are on its team; undefined otherwise. */
  findFor(id: string, userId: string): Promise<{ event: EventRecord; role: EventRole } | undefined>;
  /** The event if it is public (published or cancelled); drafts are nobody's business but their organizer's. */
  findPublic(id: string): Promise<EventRecord | undefined>;
  /** The events the user owns or manages (as a `manager` of their team), newest first. */
  listOwn(
    userId: string,
    options: { status?: EventStatus; limit: number; after?: OrganizerCursor },
  ): Promise<EventRecord[]>;
  /** Published events starting after now that match, in the requested order; `limit` rows at most. */
  search(query: CatalogueSearch): Promise<Ranked[]>;
  /**
   * Locks the event and runs `work` on it with the user's role: what it returns is saved, with its messages and its
   * audit line (the user as actor), in the same transaction; null saves nothing; a throw changes nothing. Undefined
   * when the user neither owns the event nor is on its team.
   */
  change(
    id: string,
    userId: string,
    work: (current: EventRecord, role: EventRole) => Promise<EventChange | null>,
  ): Promise<{ before: EventRecord; after: EventRecord } | undefined>;
  /** The event's audit, newest first, with the organizer-wide team changes; entries older than `before` (an id). */
  auditOf(
    eventId: string,
    organizerId: string,
    options: { limit: number; before?: string },
  ): Promise<AuditEntry[]>;
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
   * `shared`, the shared snapshot will do (public pages: it is current, as tickets outdates it with every change of the
   * event's seats); without, it is read from tickets now (what an organizer sees after a change).
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
  team: TeamStore;
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
