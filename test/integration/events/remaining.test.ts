// Remaining tickets on the public event page and the availability route during a sale, against real PostgreSQL,
// Redis and the tickets service, through the edge: they follow purchases within the promised staleness, show a tier
// sold out once its last seat is sold, and answer 304 to a revalidation while nothing changed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { EDGE_MS, READ_MARGIN_MS, staleFor } from '../../support/edge';
import { startTestPlatform } from '../../support/platform';
import { waitUntil } from '../../support/wait';
import { MANIFESTS, steps } from './support';

let platform: Platform;
let organizer: TestUser;
let buyer: TestUser;
const { api, organizer: signUp, published, bought } = steps(() => platform);

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

/** Buys and answers when the sale was answered (epoch ms). */
async function buy(eventId: string, tierId: string, quantity: number) {
  await bought(buyer, eventId, tierId, quantity);
  return Date.now();
}

/**
 * How far behind sales a page may be: the edge's copy of it. The snapshot the copy was made from adds nothing: every
 * sale outdates it (availability-freshness.test.ts reads the functions without the edge).
 */
const PROMISED_MS = EDGE_MS + READ_MARGIN_MS;

const remainingOn =
  (path: string, tiersOf: (body: { ticketTiers?: Tier[]; tiers?: Tier[] }) => Tier[]) => async () =>
    tiersOf((await api('GET', path)).body).map((tier) => tier.remaining);

describe('remaining tickets during a sale', () => {
  it('follow purchases within the promised staleness, and show a tier sold out once its last seat is sold', async () => {
    const event = await published(organizer, {
      capacity: 5,
      ticketTiers: [
        { name: 'Standard', price: 2500, currency: 'EUR', quantity: 3 },
        { name: 'VIP', price: 6000, currency: 'EUR', quantity: 2 },
      ],
    });
    const [standard] = event.ticketTiers as Tier[];
    if (!standard) throw new Error('the event has two tiers');
    const onPage = remainingOn(`/v1/events/${event.id}`, (body) => body.ticketTiers ?? []);
    const onRoute = remainingOn(`/v1/events/${event.id}/availability`, (body) => body.tiers ?? []);
    const same = (expected: number[]) => (remaining: (number | null)[]) =>
      JSON.stringify(remaining) === JSON.stringify(expected);

    const before = await page(event.id);
    expect(before.body.ticketTiers.map((tier: Tier) => tier.remaining)).toEqual([3, 2]);
    expect(before.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=1');

    const sold = await buy(event.id, standard.id, 2);
    expect(await staleFor(onPage, same([1, 2]), sold)).toBeLessThanOrEqual(PROMISED_MS);

    // The last Standard seat: sold out on the page and on the availability route within the same promise.
    const soldOut = await buy(event.id, standard.id, 1);
    expect(await staleFor(onPage, same([0, 2]), soldOut)).toBeLessThanOrEqual(PROMISED_MS);
    expect((await page(event.id)).body).toMatchObject({ remaining: 2 });
    expect(await staleFor(onRoute, same([0, 2]), soldOut)).toBeLessThanOrEqual(PROMISED_MS);
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
