// The availability snapshot's promise ("never more than SNAPSHOT_TTL_MS behind sales") holds even when reading the
// source was slow: a snapshot lives SNAPSHOT_TTL_MS from when its read began, so a read that took most of that time
// is kept only for what is left, and one that took longer is not kept at all. Against a real redis-server.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readSnapshots,
  SNAPSHOT_TTL_MS,
  writeSnapshots,
} from '../../../events/contracts/availability-snapshot';
import type { EventAvailability } from '../../../events/contracts/catalogue';
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

const availability = (): EventAvailability => ({
  eventId: randomUUID(),
  status: 'on_sale',
  capacity: 10,
  sold: 4,
  remaining: 6,
  tiers: [],
});

describe('an availability snapshot', () => {
  it('read quickly is served for the whole promised staleness', async () => {
    const event = availability();
    await writeSnapshots(redis, [event], Date.now());
    expect((await readSnapshots(redis, [event.eventId])).get(event.eventId)).toEqual(event);
    const ttl = await redis.pttl(`tickets:availability:v1:${event.eventId}`);
    expect(ttl).toBeGreaterThan(SNAPSHOT_TTL_MS / 2);
    expect(ttl).toBeLessThanOrEqual(SNAPSHOT_TTL_MS);
  });

  it('read slowly is served only for what is left of the promise', async () => {
    const event = availability();
    await writeSnapshots(redis, [event], Date.now() - (SNAPSHOT_TTL_MS - 200));
    const ttl = await redis.pttl(`tickets:availability:v1:${event.eventId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(200);
  });

  it('read more slowly than the promise allows is not kept: the next page reads the source', async () => {
    const event = availability();
    await writeSnapshots(redis, [event], Date.now() - SNAPSHOT_TTL_MS - 1);
    expect((await readSnapshots(redis, [event.eventId])).has(event.eventId)).toBe(false);
  });
});
