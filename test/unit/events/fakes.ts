// In-memory stand-ins for the events service's ports, for unit tests of its rules (the adapters are tested against
// the real services in test/integration/events).
import type { EventAvailability, InventorySyncRequest, TeamRole } from '../../../events/contracts/catalogue';
import {
  type AuditEntry,
  type AuditNote,
  DatabaseUnavailableError,
  type EventRecord,
  type EventRole,
  type EventStore,
  type EventsDeps,
  type ImageStorage,
  type Inventory,
  InventoryUnavailableError,
  type ReadCache,
  type StoredImage,
} from '../../../functions/events/model';
import type { CreateEventBody } from '../../../functions/events/requests.schemas';
import type { TeamStore } from '../../../functions/events/team';
import { ConflictError } from '../../../layers/common/errors';
import type { Envelope } from '../../../layers/common/messages';

/** A team membership: of one event, or of all the organizer's events (eventId null). */
export interface FakeMember {
  organizerId: string;
  eventId: string | null;
  userId: string;
  role: TeamRole;
}

export function memoryStore(): EventStore & {
  events: Map<string, EventRecord>;
  outbox: Envelope[];
  audit: AuditEntry[];
  members: FakeMember[];
  down: boolean;
} {
  const events = new Map<string, EventRecord>();
  const outbox: Envelope[] = [];
  const audit: AuditEntry[] = [];
  const members: FakeMember[] = [];
  const roleOf = (event: EventRecord, userId: string): EventRole | undefined => {
    if (event.organizerId === userId) return 'owner';
    const roles = members
      .filter((member) => member.userId === userId && member.organizerId === event.organizerId)
      .filter((member) => member.eventId === null || member.eventId === event.id)
      .map((member) => member.role);
    return roles.includes('manager') ? 'manager' : roles[0];
  };
  const note = (event: EventRecord, actorId: string, at: string, entry: AuditNote) =>
    audit.unshift({
      id: String(audit.length + 1),
      eventId: event.id,
      actorId,
      at,
      action: entry.action,
      changes: entry.changes ?? {},
    });
  const state = { down: false };
  const check = () => {
    if (state.down) throw new DatabaseUnavailableError();
  };
  const copy = (event: EventRecord | undefined) => (event ? structuredClone(event) : undefined);
  return {
    events,
    outbox,
    audit,
    members,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    insert: async (event, entry) => {
      check();
      events.set(event.id, structuredClone(event));
      note(event, event.organizerId, event.createdAt, entry);
    },
    findFor: async (id, userId) => {
      check();
      const event = events.get(id);
      const role = event && roleOf(event, userId);
      return event && role ? { event: structuredClone(event), role } : undefined;
    },
    auditOf: async (eventId, _organizerId, { limit }) => {
      check();
      return audit.filter((entry) => entry.eventId === eventId).slice(0, limit);
    },
    findPublic: async (id) => {
      check();
      const event = events.get(id);
      return event && event.status !== 'draft' ? copy(event) : undefined;
    },
    listOwn: async (userId, { limit }) => {
      check();
      return [...events.values()]
        .filter((event) => ['owner', 'manager'].includes(roleOf(event, userId) ?? ''))
        .slice(0, limit)
        .map((event) => structuredClone(event));
    },
    search: async (query) => {
      check();
      return [...events.values()]
        .filter((event) => event.status === 'published')
        .filter((event) => !query.q || event.name.toLowerCase().includes(query.q.toLowerCase()))
        .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id))
        .filter(
          (event) =>
            !query.after || `${event.startsAt}${event.id}` > `${query.after.startsAt}${query.after.id}`,
        )
        .slice(0, query.limit)
        .map((event) => ({ event: structuredClone(event) }));
    },
    change: async (id, userId, work) => {
      check();
      const current = events.get(id);
      const role = current && roleOf(current, userId);
      if (!current || !role) return undefined;
      const before = structuredClone(current);
      const change = await work(structuredClone(current), role);
      if (!change) return { before, after: before };
      events.set(id, structuredClone(change.next));
      outbox.push(...(change.messages ?? []));
      if (change.audit) note(current, userId, change.next.updatedAt, change.audit);
      return { before, after: change.next };
    },
  };
}

/** Tickets as the contract describes it: inventory per event, refusals below what is sold. */
export function memoryInventory(): Inventory & {
  inventories: Map<string, EventAvailability>;
  calls: InventorySyncRequest[];
  down: boolean;
} {
  const inventories = new Map<string, EventAvailability>();
  const calls: InventorySyncRequest[] = [];
  const fake = {
    inventories,
    calls,
    down: false,
    async sync(request: InventorySyncRequest) {
      if (fake.down) throw new InventoryUnavailableError();
      calls.push(request);
      const existing = inventories.get(request.eventId);
      const soldOf = (tierId: string) => existing?.tiers.find((tier) => tier.tierId === tierId)?.sold ?? 0;
      const below = request.tiers.filter((tier) => soldOf(tier.tierId) > tier.quantity);
      if (below.length > 0) throw new ConflictError('Below what is sold.', 'below-sold');
      const open = request.status === 'on_sale';
      const tiers = request.tiers.map((tier) => ({
        ...tier,
        sold: soldOf(tier.tierId),
        remaining: open ? tier.quantity - soldOf(tier.tierId) : 0,
      }));
      const availability: EventAvailability = {
        eventId: request.eventId,
        status: request.status,
        capacity: request.capacity,
        sold: tiers.reduce((sum, tier) => sum + tier.sold, 0),
        remaining: tiers.reduce((sum, tier) => sum + tier.remaining, 0),
        tiers,
      };
      inventories.set(request.eventId, availability);
      return structuredClone(availability);
    },
    async availability(eventIds: string[]) {
      if (fake.down) throw new InventoryUnavailableError();
      return new Map(
        eventIds.flatMap((id) => {
          const found = inventories.get(id);
          return found ? [[id, structuredClone(found)] as const] : [];
        }),
      );
    },
  };
  return fake;
}

export function memoryImages(): ImageStorage & { objects: Map<string, StoredImage>; removed: string[] } {
  const objects = new Map<string, StoredImage>();
  const removed: string[] = [];
  return {
    objects,
    removed,
    presignUpload: async ({ key, contentType }) => ({
      url: 'https://bucket.example/upload',
      fields: { key, 'Content-Type': contentType },
    }),
    inspect: async (key) => objects.get(key),
    viewUrl: async (key) => `https://bucket.example/${key}?signed`,
    remove: async (key) => {
      removed.push(key);
      objects.delete(key);
    },
  };
}

export function memoryCache(): ReadCache & { entries: Map<string, string>; version_: number; down: boolean } {
  const entries = new Map<string, string>();
  const cache = {
    entries,
    version_: 0,
    down: false,
    version: async () => (cache.down ? undefined : String(cache.version_)),
    get: async <T>(key: string) => {
      if (cache.down) return undefined;
      const raw = entries.get(key);
      return raw === undefined ? undefined : (JSON.parse(raw) as T);
    },
    set: async (list: { key: string; value: unknown }[]) => {
      if (cache.down) return;
      for (const { key, value } of list) entries.set(key, JSON.stringify(value));
    },
    bump: async () => {
      if (!cache.down) cache.version_ += 1;
    },
  };
  return cache;
}

/** Team changes are tested against PostgreSQL (test/integration/events/teams.test.ts); unit tests never reach them. */
const unusedTeamStore = new Proxy({} as TeamStore, {
  get: (_target, name) => () => {
    throw new Error(`the team store (${String(name)}) is not faked in unit tests`);
  },
});

export const NOW = new Date('2030-01-01T12:00:00.000Z');

export function fakeDeps(overrides: Partial<EventsDeps> = {}) {
  const store = memoryStore();
  const inventory = memoryInventory();
  const images = memoryImages();
  const cache = memoryCache();
  const warnings: string[] = [];
  let ids = 0;
  let relayed = 0;
  const deps: EventsDeps = {
    store,
    team: unusedTeamStore,
    inventory,
    images,
    cache,
    cacheSettings: { prefix: 'events', listTtlSeconds: 60, detailTtlSeconds: 30, lastGoodTtlSeconds: 3600 },
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    now: () => NOW,
    relay: async () => {
      relayed += 1;
    },
    availabilityTimeoutMs: 200,
    warn: (message) => warnings.push(message),
    ...overrides,
  };
  return { deps, store, inventory, images, cache, warnings, relayed: () => relayed };
}

/** A valid new event: a concert in Paris in 2030, 100 seats in two tiers (60 + 40). */
export const eventBody = (overrides: Partial<CreateEventBody> = {}): CreateEventBody => ({
  name: 'Jazz at the Sunset',
  type: 'concert',
  description: 'Modal jazz.',
  startsAt: '2030-02-01T19:00:00.000Z',
  endsAt: '2030-02-01T22:00:00.000Z',
  timezone: 'Europe/Paris',
  location: { venue: 'Sunset', address: '60 rue des Lombards', city: 'Paris', country: 'France' },
  capacity: 100,
  ticketTiers: [
    { name: 'Standard', price: 2500, currency: 'EUR', quantity: 60 },
    { name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 },
  ],
  tags: ['jazz'],
  ...overrides,
});
