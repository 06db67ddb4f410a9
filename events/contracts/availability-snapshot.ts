// The availability snapshot: each event's remaining tickets as last read from the tickets database, kept in Redis
// for at most SNAPSHOT_TTL_MS and shared by the public reads of remaining tickets (the event page and the
// availability route). Whichever reads the source on a miss writes it (read-through), so a refresh storm costs
// the tickets service one read per event and TTL, and those reads are never more than SNAPSHOT_TTL_MS behind sales.
// Every Redis failure is a miss (ADR 004): without Redis each read goes to tickets, as before.
import type { Redis } from 'ioredis';
import type { EventAvailability } from './catalogue';

/** How long a snapshot is served: the staleness the event page and the availability route promise. */
export const SNAPSHOT_TTL_MS = 1_000;

const key = (eventId: string) => `tickets:availability:v1:${eventId}`;

/** The snapshots found, by event id; absent ids (and all of them when Redis fails) are misses. */
export async function readSnapshots(
  redis: Redis | undefined,
  eventIds: readonly string[],
): Promise<Map<string, EventAvailability>> {
  const found = new Map<string, EventAvailability>();
  if (!redis || eventIds.length === 0) return found;
  try {
    const values = await redis.mget(eventIds.map(key));
    values.forEach((value, index) => {
      const id = eventIds[index];
      if (value !== null && id !== undefined) found.set(id, JSON.parse(value) as EventAvailability);
    });
  } catch {
    // Redis is down or slow: the caller reads the source.
  }
  return found;
}

/**
 * Stores fresh snapshots read from the source at `readAt` (epoch ms, taken before the read began); a failed write
 * only means the next read goes to the database. A snapshot lives SNAPSHOT_TTL_MS from `readAt`, not from now: a
 * read slowed by load is kept for less (or not at all), so no reader is served figures older than the promise.
 */
export async function writeSnapshots(
  redis: Redis | undefined,
  events: readonly EventAvailability[],
  readAt: number,
): Promise<void> {
  const ttlMs = SNAPSHOT_TTL_MS - (Date.now() - readAt);
  if (!redis || events.length === 0 || ttlMs <= 0) return;
  try {
    const pipeline = redis.multi();
    for (const event of events) pipeline.set(key(event.eventId), JSON.stringify(event), 'PX', ttlMs);
    await pipeline.exec();
  } catch {
    // Nothing to do: snapshots are an optimisation.
  }
}

/**
 * A sale took the last seats of `tierIds` (or a buyer was refused for lack of them): drops the event's snapshot if it
 * still shows any of them with seats left, so the next page reads the source and shows them sold out at once rather
 * than up to SNAPSHOT_TTL_MS later. A snapshot that already agrees is kept: refusals after a sell-out cost one read.
 */
export async function forgetIfSoldOutShown(
  redis: Redis | undefined,
  eventId: string,
  tierIds: readonly string[],
): Promise<void> {
  if (!redis || tierIds.length === 0) return;
  try {
    const value = await redis.get(key(eventId));
    if (value === null) return;
    const shown = JSON.parse(value) as EventAvailability;
    if (shown.tiers.some((tier) => tierIds.includes(tier.tierId) && tier.remaining > 0))
      await redis.del(key(eventId));
  } catch {
    // Redis is down or slow: the snapshot expires on its own within SNAPSHOT_TTL_MS.
  }
}
