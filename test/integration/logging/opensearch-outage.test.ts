// With OpenSearch down, the API keeps answering, the runtime reports that log shipping fails and keeps the lines it
// could not ship; when OpenSearch answers again at the same address, those lines arrive there. The platform talks to
// OpenSearch through a forwarder on a fixed port (as through a DNS name), which stops listening for the outage:
// connections are refused exactly as by a stopped server, without starting a second OpenSearch for this file.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { signUp, type TestUser } from '../../support/accounts';
import {
  buy,
  eventOnSale,
  linesOf,
  type PlatformWithLog,
  startForwarder,
  startPlatformWith,
} from './support';

let forwarder: Awaited<ReturnType<typeof startForwarder>>;
let started: PlatformWithLog;
let platform: Platform;
let user: TestUser;
const openSearchUrl = inject('openSearchUrl');

beforeAll(async () => {
  forwarder = await startForwarder(openSearchUrl);
  started = await startPlatformWith(forwarder.url);
  platform = started.platform;
  user = await signUp(platform.apiUrl);
});
afterAll(async () => {
  await platform?.stop();
  await forwarder?.close();
});

it('keeps answering while OpenSearch is down, and ships the lines it kept once OpenSearch answers again', async () => {
  const shipping = platform.logShipping;
  expect(shipping, 'log shipping runs when OpenSearch answered at start').toBeDefined();
  if (!shipping) return;
  const event = await eventOnSale();

  // Up: a purchase's lines reach the first OpenSearch.
  const before = `before-${randomUUID()}`;
  expect((await buy(platform.apiUrl, user.accessToken, event, before)).status).toBe(201);
  await expect.poll(async () => (await linesOf(forwarder.url, before)).length).toBeGreaterThan(0);

  // Down: the API answers as before, quickly; the lines wait in the runtime.
  await forwarder.down();
  const during = `during-${randomUUID()}`;
  const downAt = Date.now();
  for (let i = 0; i < 3; i++) {
    expect((await buy(platform.apiUrl, user.accessToken, event, during)).status).toBe(201);
    // The buyer's own orders: a read that always reaches the function (the availability route may be the edge's).
    const orders = await fetch(`${platform.apiUrl}/v1/users/me/orders`, {
      headers: { 'x-correlation-id': during, authorization: `Bearer ${user.accessToken}` },
    });
    expect(orders.status).toBe(200);
  }
  expect(Date.now() - downAt, 'requests never wait for log shipping').toBeLessThan(10_000);
  await expect.poll(() => shipping.stats().outage).toBe(true);
  const stats = shipping.stats();
  expect(stats.buffered).toBeGreaterThanOrEqual(6);
  expect(stats.failedFlushes).toBeGreaterThan(0);
  expect(stats.lastError).toMatch(/Error/);
  expect(stats.dropped).toBe(0);
  expect(started.runtimeLog.filter((line) => line.includes('does not take log lines'))).toHaveLength(1);

  // Back: an OpenSearch answers at the same address; it gets the template and every kept line.
  await forwarder.up(openSearchUrl);
  await expect.poll(() => shipping.stats().outage).toBe(false);
  await expect
    .poll(
      async () =>
        (await linesOf(forwarder.url, during)).filter(
          (line) => line.message === 'request completed' && line.service === 'tickets',
        ).length,
    )
    .toBe(6);
  expect(started.runtimeLog.some((line) => line.includes('OpenSearch answers again'))).toBe(true);
  expect(shipping.stats()).toMatchObject({ dropped: 0, rejected: 0 });
});
