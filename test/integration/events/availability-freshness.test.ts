// The availability snapshot is current: against real PostgreSQL, Redis and both services, the read right after a
// purchase, a hold for payment, a declined payment (the hold released), a cancellation, an organizer's change of
// the tiers or a hold's lapse (no write: its seats count as free from then on) shows it, without waiting out the
// snapshot's expiry. The edge's copy of these pages (local
// gateway) is turned off here: this file is about what the functions answer, remaining.test.ts about the edge.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { payOrder } from '../../support/payments';
import { startTestPlatform } from '../../support/platform';
import { waitUntil } from '../../support/wait';
import { MANIFESTS, steps } from './support';

let platform: Platform;
let organizer: TestUser;
let buyer: TestUser;
const { api, organizer: signUp, published, bought } = steps(() => platform);

beforeAll(async () => {
  process.env.EVENTS_CACHE_PREFIX = `events-${randomUUID()}`;
  process.env.LOCAL_EDGE_CACHE = 'off';
  platform = await startTestPlatform({ manifests: MANIFESTS, schedules: false });
  [organizer, buyer] = await Promise.all([signUp(), signUp()]);
});
afterAll(async () => {
  delete process.env.LOCAL_EDGE_CACHE;
  await platform?.stop();
});

interface Tier {
  id: string;
  remaining: number | null;
}

/** Remaining seats per tier on the availability route and on the event page, read once each. */
async function remaining(eventId: string) {
  const [route, page] = await Promise.all([
    api('GET', `/v1/events/${eventId}/availability`),
    api('GET', `/v1/events/${eventId}`),
  ]);
  expect([route.status, page.status]).toEqual([200, 200]);
  return {
    route: (route.body.tiers as Tier[]).map((tier) => tier.remaining),
    page: (page.body.ticketTiers as Tier[]).map((tier) => tier.remaining),
  };
}

/** Reads twice (the second served by the snapshot the first left), so a change must outdate a live snapshot. */
async function shownTwice(eventId: string, expected: number[]) {
  expect(await remaining(eventId)).toEqual({ route: expected, page: expected });
  expect(await remaining(eventId)).toEqual({ route: expected, page: expected });
}

/** Moves a hold's lapse to `interval` from now (in the past when negative); answers it in epoch ms. */
async function holdLapsesIn(orderId: string, interval: string): Promise<number> {
  const db = new pg.Client({ connectionString: platform.databaseUrls.tickets });
  await db.connect();
  try {
    const { rows } = await db.query<{ at: string }>(
      `UPDATE orders SET expires_at = now() + $2::interval WHERE id = $1
       RETURNING floor(extract(epoch FROM expires_at) * 1000)::bigint AS at`,
      [orderId, interval],
    );
    return Number(rows[0]?.at);
  } finally {
    await db.end();
  }
}

/** A published event with one tier of `quantity` seats at `price`, its seats read twice. */
async function onSale(quantity: number, price: number) {
  const event = await published(organizer, {
    capacity: 10,
    ticketTiers: [{ name: 'Standard', price, currency: 'EUR', quantity }],
  });
  const tierId = (event.ticketTiers as Tier[])[0]?.id;
  if (!tierId) throw new Error('the event has a tier');
  await shownTwice(event.id, [quantity]);
  return { eventId: event.id as string, tierId };
}

describe('remaining seats read right after a change', () => {
  it('show a free purchase, the tier sold out, and a cancellation', async () => {
    const { eventId, tierId } = await onSale(3, 0);
    const first = await bought(buyer, eventId, tierId, 2);
    expect(first.status).toBe('confirmed');
    await shownTwice(eventId, [1]);

    await bought(buyer, eventId, tierId, 1);
    await shownTwice(eventId, [0]);

    const cancelled = await api('POST', `/v1/orders/${first.id}/cancel`, { token: buyer.accessToken });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(await remaining(eventId)).toEqual({ route: [2], page: [2] });
  });

  it('show seats held for payment, and given back when the payment is declined', async () => {
    const { eventId, tierId } = await onSale(10, 2500);
    const order = await bought(buyer, eventId, tierId, 3);
    expect(order.status).toBe('awaiting_payment');
    await shownTwice(eventId, [7]);

    await payOrder(platform.apiUrl, order, 'declined');
    expect(await remaining(eventId)).toEqual({ route: [10], page: [10] });
  });

  it('show the seats of a hold for payment free once it lapsed', async () => {
    const { eventId, tierId } = await onSale(10, 2500);
    const order = await bought(buyer, eventId, tierId, 3);
    const lapsesAt = await holdLapsesIn(order.id, '2 seconds');
    // Read on until shortly before the lapse, so a snapshot written less than its lifetime before it is live then.
    // A read that finished before the lapse shows the hold (one that ran into it may show either).
    while (Date.now() < lapsesAt - 400) {
      const read = await remaining(eventId);
      if (Date.now() < lapsesAt) expect(read).toEqual({ route: [7], page: [7] });
    }
    await waitUntil(async () => Date.now() > lapsesAt, { intervalMs: 5, message: 'the hold lapsed' });
    expect(await remaining(eventId)).toEqual({ route: [10], page: [10] });
  });

  it('show the seats taken again when a lapsed hold, not swept yet, is paid', async () => {
    const { eventId, tierId } = await onSale(10, 2500);
    const order = await bought(buyer, eventId, tierId, 3);
    await holdLapsesIn(order.id, '-1 second');
    // Lapsed: every reader counts the seats free, and a snapshot says so.
    await shownTwice(eventId, [10]);
    await payOrder(platform.apiUrl, order, 'succeeded');
    expect(await remaining(eventId)).toEqual({ route: [7], page: [7] });
  });

  it("show the organizer's change of a tier's quantity", async () => {
    const { eventId, tierId } = await onSale(6, 2500);
    const tier = { id: tierId, name: 'Standard', price: 2500, currency: 'EUR', quantity: 9 };
    const changed = await api('PATCH', `/v1/events/${eventId}`, {
      token: organizer.accessToken,
      body: { ticketTiers: [tier] },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(await remaining(eventId)).toEqual({ route: [9], page: [9] });
  });
});
