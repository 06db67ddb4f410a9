// Remaining tickets on the public event page and the availability route during a sale, against real PostgreSQL,
// Redis and the tickets service: they follow purchases within the promised staleness (the shared snapshot's TTL),
// show a tier sold out once its last seat is sold, and answer 304 to a revalidation while nothing changed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_TTL_MS } from '../../../events/contracts/availability-snapshot';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { waitUntil } from '../../support/wait';
import { MANIFESTS, steps } from './support';

// What a page request adds to the snapshot's age: the tickets read that refreshed it, and the request itself.
const READ_MARGIN_MS = 500;

let platform: Platform;
let organizer: TestUser;
let buyer: TestUser;
const { api, organizer: signUp, published } = steps(() => platform);

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  process.env.EVENTS_CACHE_PREFIX = `events-${randomUUID()}`;
  platform = await startTestPlatform({ manifests: MANIFESTS, schedules: false });
  [organizer, buyer] = await Promise.all([signUp(), signUp()]);
});
afterAll(async () => {
  await platform?.stop();
});

interface Tier {
  id: string;
  remaining: number | null;
}

const page = (id: string) => api('GET', `/v1/events/${id}`);

async function buy(eventId: string, tierId: string, quantity: number) {
  const response = await api('POST', `/v1/events/${eventId}/orders`, {
    token: buyer.accessToken,
    headers: { 'idempotency-key': randomUUID() },
    body: { items: [{ tierId, quantity }] },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return Date.now();
}

/**
 * Reads the page until `fresh` holds of it, and answers how long after `since` the last page that did not show the
 * change was requested: a page requested later than the promised staleness must show it.
 */
async function lagUntil(eventId: string, since: number, fresh: (tiers: Tier[]) => boolean) {
  let lastStaleRequest = since;
  await waitUntil(async () => {
    const requested = Date.now();
    const answer = await page(eventId);
    expect(answer.status).toBe(200);
    if (fresh(answer.body.ticketTiers)) return true;
    lastStaleRequest = requested;
    return false;
  });
  return lastStaleRequest - since;
}

describe('remaining tickets during a sale', () => {
  it('follow purchases within the promised staleness and show a tier sold out as soon as its last seat is sold', async () => {
    const event = await published(organizer, {
      capacity: 5,
      ticketTiers: [
        { name: 'Standard', price: 2500, currency: 'EUR', quantity: 3 },
        { name: 'VIP', price: 6000, currency: 'EUR', quantity: 2 },
      ],
    });
    const [standard, vip] = event.ticketTiers as Tier[];
    if (!standard || !vip) throw new Error('the event has two tiers');
    const remaining = (tiers: Tier[]) => tiers.map((tier) => tier.remaining);

    const before = await page(event.id);
    expect(remaining(before.body.ticketTiers)).toEqual([3, 2]);
    expect(before.headers.get('cache-control')).toBe('public, no-cache');

    const sold = await buy(event.id, standard.id, 2);
    const lag = await lagUntil(event.id, sold, (tiers) => tiers[0]?.remaining === 1);
    expect(lag).toBeLessThanOrEqual(SNAPSHOT_TTL_MS + READ_MARGIN_MS);
    expect(remaining((await page(event.id)).body.ticketTiers)).toEqual([1, 2]);

    // The page just read warmed the snapshot with one Standard seat left; the sale of that seat drops it, so the
    // very next page shows the tier sold out, without waiting out the snapshot's TTL.
    await buy(event.id, standard.id, 1);
    const after = await page(event.id);
    expect(after.body).toMatchObject({ remaining: 2 });
    expect(remaining(after.body.ticketTiers)).toEqual([0, 2]);

    // The availability route serves the same snapshot.
    const availability = await api('GET', `/v1/events/${event.id}/availability`);
    expect(availability.status).toBe(200);
    expect(availability.body.tiers.map((tier: Tier) => tier.remaining)).toEqual([0, 2]);
  });

  it('answers 304 to If-None-Match while nothing changed, and the new page once something did', async () => {
    const event = await published(organizer);
    const [standard] = event.ticketTiers as Tier[];
    if (!standard) throw new Error('the event has a tier');

    for (const path of [`/v1/events/${event.id}`, `/v1/events/${event.id}/availability`]) {
      const first = await api('GET', path);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^W\/".+"$/);
      const again = await api('GET', path, { headers: { 'if-none-match': etag as string } });
      expect(again.status).toBe(304);
      expect(again.body).toBeUndefined();
      expect(again.headers.get('etag')).toBe(etag);
    }

    const etag = (await page(event.id)).headers.get('etag') as string;
    await buy(event.id, standard.id, 1);
    const changed = await waitUntil(async () => {
      const answer = await api('GET', `/v1/events/${event.id}`, { headers: { 'if-none-match': etag } });
      return answer.status === 200 ? answer : undefined;
    });
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.body.ticketTiers[0].remaining).toBe(59);
  });
});
