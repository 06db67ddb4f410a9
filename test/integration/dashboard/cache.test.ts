// Dashboard figures cached in Redis for a few seconds: a second read is served from the cache, never to another
// organizer, and with Redis down every read still answers, from the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_TTL_SECONDS } from '../../../functions/tickets/dashboard.cache';
import type { EventMetrics } from '../../../functions/tickets/dashboard.schemas';
import type { Platform } from '../../../local/platform';
import { withIssuedPlatform } from '../../support/platform';
import { type RedisServer, startRedis } from '../../support/redis-server';
import type { TestIssuer } from '../../support/tokens';
import { api, type OnSale, type Person, people, putOnSale } from './helpers';

let platform: Platform;
let issuer: TestIssuer;
let redis: RedisServer;
let http: ReturnType<typeof api>;
let person: ReturnType<typeof people>;
let organizer: Person;
let event: OnSale;

beforeAll(async () => {
  // This file stops its Redis, so it has its own rather than the one other test files share.
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
withIssuedPlatform(
  () => ({ schedules: false, redisUrl: redis.url }),
  async (started) => {
    ({ platform, issuer } = started);
    http = api(platform);
    person = people(platform, issuer);
    organizer = await person();
    event = await putOnSale(organizer.userId, { tiers: [{ price: 1500, quantity: 30 }] });
  },
);

const metricsPath = () => `/v1/organizer/events/${event.eventId}/metrics?interval=hour`;
const sold = async (response: Response) => ((await response.json()) as EventMetrics).sold;

describe('the dashboard cache', () => {
  it('serves a repeated read from Redis for a few seconds, then reads the database again', async () => {
    expect(platform.redis).toBe('up');
    // The functions connect to Redis on their first read; until then a read cannot be stored. Wait until one is
    // served from Redis, so a slow connection cannot pass for a cache that does not work.
    await expect
      .poll(async () => (await http.get(organizer.token, '/v1/organizer/dashboard')).headers.get('x-cache'), {
        timeout: 15_000,
      })
      .toBe('hit');
    const buyer = await person();
    await http.buy(buyer, event.eventId, [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 2 }]);

    const first = await http.get(organizer.token, metricsPath());
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(await sold(first)).toBe(2);
    await http.buy(buyer, event.eventId, [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 1 }]);
    const second = await http.get(organizer.token, metricsPath());
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(await sold(second)).toBe(2);

    // Once the entry expires, the next read goes to the database and sees the later sale.
    await expect
      .poll(
        async () => {
          const third = await http.get(organizer.token, metricsPath());
          return [third.headers.get('x-cache'), await sold(third)];
        },
        { timeout: CACHE_TTL_SECONDS * 1000 + 15_000, interval: 250 },
      )
      .toEqual(['miss', 3]);
  });

  it("never serves an organizer's cached figures to another organizer", async () => {
    await http.get(organizer.token, metricsPath());
    expect((await http.get(organizer.token, metricsPath())).headers.get('x-cache')).toBe('hit');
    const stranger = await person();
    expect((await http.get(stranger.token, metricsPath())).status).toBe(404);
    const dashboard = await http.get(stranger.token, '/v1/organizer/dashboard');
    expect(((await dashboard.json()) as { events: { total: number } }).events.total).toBe(0);
  });

  it('answers from the database while Redis is down', async () => {
    await redis.stop();
    try {
      const metrics = await http.get(organizer.token, `${metricsPath()}&to=${new Date().toISOString()}`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('x-cache')).toBe('miss');
      expect(await sold(metrics)).toBe(3);
      expect((await http.get(organizer.token, '/v1/organizer/dashboard')).status).toBe(200);
    } finally {
      await redis.start();
    }
  });
});
