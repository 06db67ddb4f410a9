// The availability snapshot: each event's remaining tickets as last read from the tickets database, kept in Redis and
// shared by the public reads of remaining tickets (the event page and the availability route). Whichever reads the
// source on a miss writes it (read-through), so a refresh storm costs the tickets service one read per event and
// change of its seats.
// A snapshot is valid until the event's seats next change: the tickets service bumps the event's generation after
// every committed change of its seats (bumpGenerations), and a snapshot is served only while the generation stamped
// in it is the current one. Its writer stamps the generation it read before reading the source, so a read that raced
// a sale is stamped with the generation the sale's bump left behind and is never served after it. A hold for payment
// that lapses frees its seats without a write (reads count them free from then on): a snapshot expires when the
// event's first hold lapses. SNAPSHOT_TTL_MS bounds what a lost bump (Redis failing at that moment) can cost.
// Every Redis failure is a miss (ADR 004): without Redis each read goes to tickets, as before.
import type { Redis } from 'ioredis';
import type { AvailabilityAndLapses, EventAvailability } from './catalogue';

/** How long a snapshot is served at most, when no bump of its generation came (a bump lost to a Redis failure). */
export const SNAPSHOT_TTL_MS = 1_000;

/** How long an event's generation outlives its last bump: long after any snapshot stamped with it expired. */
const GENERATION_TTL_MS = 7 * 24 * 3_600_000;

export const snapshotKey = (eventId: string) => `tickets:availability:v2:${eventId}`;
export const generationKey = (eventId: string) => `tickets:availability:gen:v1:${eventId}`;

interface Stored {
  generation: number;
  availability: EventAvailability;
}

/**
 * What a read of the snapshots found: the valid ones by event id, and the current generation of each event whose
 * snapshot was missing or outdated, for the snapshot written after reading the source. When Redis fails both are
 * empty: every id is a miss, and nothing is written.
 */
export interface SnapshotRead {
  found: Map<string, EventAvailability>;
  generations: Map<string, number>;
}

/** The events' snapshots and generations, in one round trip (one MGET of both keys of every id). */
export async function readSnapshots(
  redis: Redis | undefined,
  eventIds: readonly string[],
): Promise<SnapshotRead> {
  const read: SnapshotRead = { found: new Map(), generations: new Map() };
  if (!redis || eventIds.length === 0) return read;
  try {
    const values = await redis.mget(eventIds.flatMap((id) => [snapshotKey(id), generationKey(id)]));
    eventIds.forEach((id, index) => {
      const value = values[2 * index];
      const generation = Number(values[2 * index + 1] ?? 0);
      const stored = value ? (JSON.parse(value) as Stored) : undefined;
      if (stored && stored.generation === generation) read.found.set(id, stored.availability);
      else read.generations.set(id, generation);
    });
  } catch {
    // Redis is down or slow: the caller reads the source.
    return { found: new Map(), generations: new Map() };
  }
  return read;
}

/**
 * Stores snapshots read from the source at `readAt` (epoch ms, taken before the read began), each stamped with the
 * generation `generations` holds for it (read before the source too; an event without one is not written). A failed
 * write only means the next read goes to the database. The expiry counts from `readAt`, not from now: a read slowed by
 * load is kept for less (or not at all); and it comes no later than the event's first hold lapses (`lapsesAt`).
 */
export async function writeSnapshots(
  redis: Redis | undefined,
  { events, lapsesAt = {} }: AvailabilityAndLapses,
  readAt: number,
  generations: ReadonlyMap<string, number>,
): Promise<void> {
  if (!redis) return;
  const now = Date.now();
  const writes = events.flatMap((availability) => {
    const generation = generations.get(availability.eventId);
    const lapse = lapsesAt[availability.eventId] ?? Number.POSITIVE_INFINITY;
    const expiresAt = Math.min(readAt + SNAPSHOT_TTL_MS, lapse);
    return generation === undefined || expiresAt <= now
      ? []
      : [{ stored: { generation, availability }, expiresAt }];
  });
  if (writes.length === 0) return;
  try {
    const pipeline = redis.multi();
    // An absolute expiry (PXAT, Redis 6.2+): a relative one counts from when Redis runs the command, which on a
    // loaded machine came long enough after it was computed to serve a lapsed hold's seats as taken.
    for (const { stored, expiresAt } of writes)
      pipeline.set(snapshotKey(stored.availability.eventId), JSON.stringify(stored), 'PXAT', expiresAt);
    await pipeline.exec();
  } catch {
    // Nothing to do: snapshots are an optimisation.
  }
}

/**
 * The events' availability through their snapshots: the valid ones, and for the others `load` (the source), whose
 * answer becomes their snapshot. `load` gets the ids it is asked for and answers those that exist.
 */
export async function readThrough(
  redis: Redis | undefined,
  eventIds: readonly string[],
  load: (eventIds: string[]) => Promise<AvailabilityAndLapses>,
): Promise<Map<string, EventAvailability>> {
  const { found, generations } = await readSnapshots(redis, eventIds);
  const missing = eventIds.filter((id) => !found.has(id));
  if (missing.length === 0) return found;
  const readAt = Date.now();
  const loaded = await load(missing);
  await writeSnapshots(redis, loaded, readAt, generations);
  for (const event of loaded.events) found.set(event.eventId, event);
  return found;
}

/**
 * The events' seats changed (committed): their snapshots are outdated from now on. Called after the commit, never
 * inside the transaction; a failure is swallowed (the snapshots then expire within SNAPSHOT_TTL_MS).
 */
export async function bumpGenerations(redis: Redis | undefined, eventIds: readonly string[]): Promise<void> {
  if (!redis || eventIds.length === 0) return;
  try {
    const pipeline = redis.multi();
    for (const id of new Set(eventIds))
      pipeline.incr(generationKey(id)).pexpire(generationKey(id), GENERATION_TTL_MS);
    await pipeline.exec();
  } catch {
    // Redis is down or slow: the snapshots expire on their own.
  }
}
