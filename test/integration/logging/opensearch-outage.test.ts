// With OpenSearch stopped, the API keeps answering, the runtime reports that log shipping fails and keeps the lines
// it could not ship; when an OpenSearch answers again at the same address, those lines arrive there. The platform
// talks to OpenSearch through a forwarder on a fixed port (as through a DNS name): this file's own OpenSearch is
// really stopped, and the suite's shared one then takes the address over.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { signUp, type TestUser } from '../../support/accounts';
import { type OpenSearchServer, startOpenSearch } from '../../support/opensearch-server';
import {
  buy,
  eventOnSale,
  linesOf,
  type PlatformWithLog,
  startForwarder,
  startPlatformWith,
} from './support';

let own: OpenSearchServer | undefined;
let forwarder: Awaited<ReturnType<typeof startForwarder>>;
let started: PlatformWithLog;
let platform: Platform;
let user: TestUser;
const sharedOpenSearch = inject('openSearchUrl');

beforeAll(async () => {
  // startOpenSearch reuses OPENSEARCH_URL when it is set: then there is no server of our own to stop, and the
  // forwarder alone plays the outage by dropping connections.
  own = process.env.OPENSEARCH_URL ? undefined : await startOpenSearch();
  forwarder = await startForwarder(own?.url ?? sharedOpenSearch);
  started = await startPlatformWith(forwarder.url);
  platform = started.platform;
  user = await signUp(platform.apiUrl);
});
afterAll(async () => {
  await platform?.stop();
  await forwarder?.close();
  await own?.stop();
});

it('keeps answering while OpenSearch is down, and ships the lines it kept once OpenSearch answers again', async () => {
  const shipping = platform.logShipping;
  expect(shipping, 'log shipping runs when OpenSearch answered at start').toBeDefined();
  if (!shipping) return;
  const event = await eventOnSale();

  // Up: a purchase's lines reach the first OpenSearch.
  const before = `before-${randomUUID()}`;
  expect((await buy(platform.apiUrl, user.accessToken, event, before)).status).toBe(201);
  await expect
    .poll(async () => (await linesOf(forwarder.url, before)).length, { timeout: 20_000 })
    .toBeGreaterThan(0);

  // Down: the API answers as before, quickly; the lines wait in the runtime.
  if (own) await own.stop();
  else forwarder.retarget(undefined);
  const during = `during-${randomUUID()}`;
  const downAt = Date.now();
  for (let i = 0; i < 3; i++) {
    expect((await buy(platform.apiUrl, user.accessToken, event, during)).status).toBe(201);
    const availability = await fetch(`${platform.apiUrl}/v1/events/${event.eventId}/availability`, {
      headers: { 'x-correlation-id': during },
    });
    expect(availability.status).toBe(200);
  }
  expect(Date.now() - downAt, 'requests never wait for log shipping').toBeLessThan(10_000);
  await expect.poll(() => shipping.stats().outage, { timeout: 15_000 }).toBe(true);
  const stats = shipping.stats();
  expect(stats.buffered).toBeGreaterThanOrEqual(6);
  expect(stats.failedFlushes).toBeGreaterThan(0);
  expect(stats.lastError).toMatch(/Error/);
  expect(stats.dropped).toBe(0);
  expect(started.runtimeLog.filter((line) => line.includes('does not take log lines'))).toHaveLength(1);

  // Back: an OpenSearch answers at the same address; it gets the template and every kept line.
  forwarder.retarget(sharedOpenSearch);
  await expect.poll(() => shipping.stats().outage, { timeout: 20_000 }).toBe(false);
  await expect
    .poll(
      async () =>
        (await linesOf(forwarder.url, during)).filter(
          (line) => line.message === 'request completed' && line.service === 'tickets',
        ).length,
      { timeout: 20_000 },
    )
    .toBe(6);
  expect(started.runtimeLog.some((line) => line.includes('OpenSearch answers again'))).toBe(true);
  expect(shipping.stats()).toMatchObject({ dropped: 0, rejected: 0 });
});
