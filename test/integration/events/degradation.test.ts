// The catalogue with its database stopped (it refuses every connection) and a warm cache: cached pages and event
// pages are still served, marked degraded; what was never cached is a clear 503, never a 500. And with Redis
// stopped as well as up, the catalogue keeps answering from the database.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { type RedisServer, startRedis } from '../../support/redis-server';
import { waitUntil } from '../../support/wait';
import { adminUrl, eventBody, inDays, MANIFESTS, steps, uniqueWord } from './support';

let platform: Platform;
let redis: RedisServer;
let ada: TestUser;
const { api, organizer, published } = steps(() => platform);

beforeAll(async () => {
  redis = await startRedis();
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  process.env.EVENTS_CACHE_PREFIX = `events-${randomUUID()}`;
  // Fresh entries expire within a second here, so a test can see the moment only the last good copy is left.
  process.env.EVENTS_CACHE_LIST_TTL_SECONDS = '1';
  process.env.EVENTS_CACHE_DETAIL_TTL_SECONDS = '1';
  platform = await startTestPlatform({ manifests: MANIFESTS, redisUrl: redis.url, schedules: false });
  ada = await organizer();
});
afterAll(async () => {
  await setEventsDatabase('open').catch(() => undefined);
  await platform?.stop();
  await redis?.stop();
});

/** Closes the events database to every connection (and ends the open ones), or opens it again. */
async function setEventsDatabase(state: 'open' | 'closed') {
  const admin = new pg.Client({ connectionString: adminUrl(platform) });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE events ALLOW_CONNECTIONS ${state === 'open'}`);
    if (state === 'closed') {
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'events' AND pid <> pg_backend_pid()",
      );
    }
  } finally {
    await admin.end();
  }
}

/** The catalogue's fresh cache entries (not the last good copies, nor the version key) still in Redis. */
async function freshEntries() {
  const client = new Redis(redis.url);
  try {
    const keys = await client.keys(`${process.env.EVENTS_CACHE_PREFIX}:*`);
    return keys.filter((key) => !key.includes(':last:') && !key.endsWith(':v'));
  } finally {
    client.disconnect();
  }
}
const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);

describe('with the events database down', () => {
  it('serves the last cached catalogue page and event page, marked degraded, and a 503 for what was never cached', async () => {
    const tag = uniqueWord();
    const first = await published(ada, { tags: [tag], name: 'First night', startsAt: inDays(10) });
    const second = await published(ada, { tags: [tag], name: 'Second night', startsAt: inDays(11) });
    const warm = await api('GET', `/v1/events?tag=${tag}`);
    expect(ids(warm.body)).toEqual([first.id, second.id]);
    expect((await api('GET', `/v1/events/${first.id}`)).status).toBe(200);
    await waitUntil(async () => (await freshEntries()).length === 0, {
      message: 'fresh cache entries expired',
    });

    await setEventsDatabase('closed');
    try {
      const page = await api('GET', `/v1/events?tag=${tag}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('x-degraded')).toBe('database-unavailable');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.body.degraded).toEqual({ reason: 'database-unavailable', message: expect.any(String) });
      expect(page.body.items).toEqual(warm.body.items);
      expect(page.body.nextCursor).toBeNull();

      // The event page too, with its remaining tickets still live from the tickets service.
      const event = await api('GET', `/v1/events/${first.id}`);
      expect(event.status).toBe(200);
      expect(event.headers.get('x-degraded')).toBe('database-unavailable');
      expect(event.body).toMatchObject({ id: first.id, name: 'First night', remaining: 100 });

      const never = await api('GET', `/v1/events?tag=${tag}&type=workshop`);
      expect(never.status).toBe(503);
      expect(never.headers.get('content-type')).toBe('application/problem+json');
      expect(never.headers.get('retry-after')).toBeTruthy();
      expect(never.body).toMatchObject({ type: '/problems/service-unavailable', status: 503 });
      expect((await api('GET', `/v1/events/${second.id}`)).status).toBe(503);

      // Writes cannot be served from a cache: a clear 503 as well.
      const write = await api('POST', '/v1/events', { token: ada.accessToken, body: eventBody() });
      expect(write.status).toBe(503);
      expect(write.body.type).toBe('/problems/service-unavailable');
    } finally {
      await setEventsDatabase('open');
    }

    const back = await api('GET', `/v1/events?tag=${tag}&type=workshop`);
    expect(back.status).toBe(200);
    expect(back.headers.get('x-degraded')).toBeNull();
    expect(back.body.degraded).toBeUndefined();
  });
});

describe('with Redis down', () => {
  it('reads and writes straight from the database, not degraded, and caches again once Redis is back', async () => {
    const tag = uniqueWord();
    await redis.stop();
    try {
      const event = await published(ada, { tags: [tag] });
      const page = await api('GET', `/v1/events?tag=${tag}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('x-degraded')).toBeNull();
      expect(ids(page.body)).toEqual([event.id]);
      expect((await api('GET', `/v1/events/${event.id}`)).body.remaining).toBe(100);
      const changed = await api('PATCH', `/v1/events/${event.id}`, {
        token: ada.accessToken,
        body: { name: 'Renamed' },
      });
      expect(changed.status).toBe(200);
      expect((await api('GET', `/v1/events?tag=${tag}`)).body.items[0].name).toBe('Renamed');
      // A sale cannot outdate the availability snapshot without Redis: it is sold all the same, and the remaining
      // seats are read from the tickets database.
      const bought = await api('POST', `/v1/events/${event.id}/orders`, {
        token: ada.accessToken,
        headers: { 'idempotency-key': randomUUID() },
        body: { items: [{ tierId: event.ticketTiers[0].id, quantity: 2 }] },
      });
      expect(bought.status, JSON.stringify(bought.body)).toBe(201);
      const availability = await api('GET', `/v1/events/${event.id}/availability`);
      expect(availability.status).toBe(200);
      expect(availability.body.remaining).toBe(98);
    } finally {
      await redis.start();
    }
    const client = new Redis(redis.url);
    try {
      await expect
        .poll(
          async () => {
            expect((await api('GET', `/v1/events?tag=${tag}`)).status).toBe(200);
            return (await client.keys(`${process.env.EVENTS_CACHE_PREFIX}:list:*`)).length;
          },
          { timeout: 10_000 },
        )
        .toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });
});
