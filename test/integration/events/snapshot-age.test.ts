// The availability snapshot against a real redis-server: a snapshot is served until the event's seats next change
// (the tickets service bumps the event's generation), and never after, even when its reader read the source before a
// sale and wrote it after the sale's bump. Without a bump it lives at most SNAPSHOT_TTL_MS from when its read began,
// and no later than the event's first hold for payment lapses.
// A Redis that fails costs reads of the source, never an error.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bumpGenerations,
  readSnapshots,
  readThrough,
  SNAPSHOT_TTL_MS,
  snapshotKey,
  writeSnapshots,
} from '../../../events/contracts/availability-snapshot';
import type { EventAvailability } from '../../../events/contracts/catalogue';
import { freePort } from '../../support/ports';
import { type RedisServer, startRedis } from '../../support/redis-server';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const availability = (sold = 4): EventAvailability => ({
  eventId: randomUUID(),
  status: 'on_sale',
  capacity: 10,
  sold,
  remaining: 10 - sold,
  tiers: [],
});

/** Writes `event` as a reader would: stamped with the generation read before the source. */
async function written(event: EventAvailability, readAt = Date.now()) {
  const { generations } = await readSnapshots(redis, [event.eventId]);
  await writeSnapshots(redis, { events: [event] }, readAt, generations);
}

const shown = async (eventId: string) => (await readSnapshots(redis, [eventId])).found.get(eventId);

describe('an availability snapshot', () => {
  it('is served until the next change of the event’s seats, then is a miss', async () => {
    const event = availability();
    await written(event);
    expect(await shown(event.eventId)).toEqual(event);
    expect(await shown(event.eventId)).toEqual(event);

    await bumpGenerations(redis, [event.eventId]);
    expect(await shown(event.eventId)).toBeUndefined();

    const after = { ...event, sold: 5, remaining: 5 };
    await written(after);
    expect(await shown(event.eventId)).toEqual(after);
  });

  it('outdates only the events whose seats changed', async () => {
    const [changed, other] = [availability(), availability()];
    await Promise.all([written(changed), written(other)]);
    await bumpGenerations(redis, [changed.eventId]);
    const { found, generations } = await readSnapshots(redis, [changed.eventId, other.eventId]);
    expect([...found.keys()]).toEqual([other.eventId]);
    expect(generations).toEqual(new Map([[changed.eventId, 1]]));
  });

  it('read from the source before a sale is never served after the sale, though written after it', async () => {
    const before = availability(4);
    const after = { ...before, sold: 6, remaining: 4 };
    let source = before;
    let sales = 0;
    const load = async () => {
      const read = { events: [source] };
      // The sale commits and bumps while this reader is between its read of the source and its write.
      if (sales === 0) {
        sales += 1;
        source = after;
        await bumpGenerations(redis, [before.eventId]);
      }
      return read;
    };

    const first = await readThrough(redis, [before.eventId], load);
    expect(first.get(before.eventId)).toEqual(before);
    expect(await redis.exists(snapshotKey(before.eventId))).toBe(1);
    expect(await shown(before.eventId)).toBeUndefined();

    const next = await readThrough(redis, [before.eventId], load);
    expect(next.get(before.eventId)).toEqual(after);
    expect(await shown(before.eventId)).toEqual(after);
  });

  it('read quickly lives at most the promised staleness when no change outdates it', async () => {
    const event = availability();
    await written(event);
    const ttl = await redis.pttl(snapshotKey(event.eventId));
    expect(ttl).toBeGreaterThan(SNAPSHOT_TTL_MS / 2);
    expect(ttl).toBeLessThanOrEqual(SNAPSHOT_TTL_MS);
  });

  it('read slowly is kept only for what is left of it', async () => {
    const event = availability();
    await written(event, Date.now() - (SNAPSHOT_TTL_MS - 200));
    const ttl = await redis.pttl(snapshotKey(event.eventId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(200);
  });

  it('read more slowly than that is not kept: the next page reads the source', async () => {
    const event = availability();
    await written(event, Date.now() - SNAPSHOT_TTL_MS - 1);
    expect(await shown(event.eventId)).toBeUndefined();
  });

  it("expires when the event's first hold for payment lapses, its seats then counting as free", async () => {
    const event = availability();
    const { generations } = await readSnapshots(redis, [event.eventId]);
    const lapsesAt = { [event.eventId]: Date.now() + 200 };
    await writeSnapshots(redis, { events: [event], lapsesAt }, Date.now(), generations);
    const ttl = await redis.pttl(snapshotKey(event.eventId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(200);
  });

  it('expires at the lapse however late Redis runs the write', async () => {
    const event = availability();
    const { generations } = await readSnapshots(redis, [event.eventId]);
    const lapse = Date.now() + 600;
    // Redis holds every write for 300 ms, as a loaded machine delays a command between its computing and its running.
    const pauser = new Redis(server.url);
    try {
      await pauser.call('CLIENT', 'PAUSE', '300', 'WRITE');
      await writeSnapshots(
        redis,
        { events: [event], lapsesAt: { [event.eventId]: lapse } },
        Date.now(),
        generations,
      );
    } finally {
      pauser.disconnect();
    }
    expect(await redis.call('PEXPIRETIME', snapshotKey(event.eventId))).toBe(lapse);
  });

  it('without a reachable Redis is read from the source every time, and a change is no error', async () => {
    const down = new Redis({
      port: await freePort(),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    down.on('error', () => undefined);
    try {
      const event = availability();
      let reads = 0;
      const load = async () => {
        reads += 1;
        return { events: [event] };
      };
      expect((await readThrough(down, [event.eventId], load)).get(event.eventId)).toEqual(event);
      expect((await readThrough(down, [event.eventId], load)).get(event.eventId)).toEqual(event);
      expect(reads).toBe(2);
      await expect(bumpGenerations(down, [event.eventId])).resolves.toBeUndefined();
    } finally {
      down.disconnect();
    }
  });
});
