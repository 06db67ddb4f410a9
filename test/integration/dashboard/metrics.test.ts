// The organizer dashboard and event metrics against the real local platform: figures that match purchases and
// cancellations made through the API, buckets on local hours and days of non-UTC zones (daylight saving included),
// ownership, and bad parameters. Redis is off here so every read is fresh; cache.test.ts covers the cache.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dashboard, EventMetrics } from '../../../functions/tickets/dashboard.schemas';
import { resetSalesRollup } from '../../../functions/tickets/dashboard.store';
import type { Platform } from '../../../local/platform';
import { databasePool } from '../../support/db';
import { withIssuedPlatform } from '../../support/platform';
import type { TestIssuer } from '../../support/tokens';
import { api, type Person, people, putOnSale } from './helpers';

let platform: Platform;
let issuer: TestIssuer;
let db: pg.Pool;
let person: ReturnType<typeof people>;
let http: ReturnType<typeof api>;

withIssuedPlatform({ schedules: false, redisUrl: null }, (started) => {
  ({ platform, issuer } = started);
  db = databasePool(platform.databaseUrls.tickets);
  person = people(platform, issuer);
  http = api(platform);
});
afterAll(async () => {
  await db?.end();
});

const metricsPath = (eventId: string, query = '') =>
  `/v1/organizer/events/${eventId}/metrics${query ? `?${query}` : ''}`;
const sumOf = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Moves an order (and its cancellation) to another instant, as if it had been placed then. */
async function backdate(orderId: string, createdAt: string, cancelledAt?: string) {
  await db.query(
    'UPDATE orders SET created_at = $2, placed_at = $2, cancelled_at = coalesce($3, cancelled_at) WHERE id = $1',
    [orderId, createdAt, cancelledAt ?? null],
  );
}

describe('the dashboard of an organizer', () => {
  let organizer: Person;
  let paris: Awaited<ReturnType<typeof putOnSale>>;
  let newYork: Awaited<ReturnType<typeof putOnSale>>;

  beforeAll(async () => {
    organizer = await person();
    paris = await putOnSale(organizer.userId, {
      tiers: [
        { name: 'Standard', price: 2500, quantity: 20 },
        { name: 'VIP', price: 9000, quantity: 5 },
      ],
      capacity: 30,
    });
    newYork = await putOnSale(organizer.userId, {
      tiers: [{ name: 'General', price: 4000, currency: 'USD', quantity: 10 }],
      timezone: 'America/New_York',
      startsAt: new Date(Date.now() + 30 * 24 * 3600_000),
    });
    const [standard, vip] = paris.tiers;
    const [ana, ben, cleo, dan] = await Promise.all([person(), person(), person(), person()]);
    await http.buy(ana as Person, paris.eventId, [
      { tierId: standard?.tierId ?? '', quantity: 2 },
      { tierId: vip?.tierId ?? '', quantity: 1 },
    ]);
    await http.buy(ben as Person, paris.eventId, [{ tierId: standard?.tierId ?? '', quantity: 3 }]);
    const refunded = await http.buy(cleo as Person, paris.eventId, [
      { tierId: vip?.tierId ?? '', quantity: 1 },
    ]);
    await http.cancel(cleo as Person, refunded.id);
    await http.buy(dan as Person, newYork.eventId, [{ tierId: newYork.tiers[0]?.tierId ?? '', quantity: 2 }]);
  });

  it('counts tickets, orders, cancellations and revenue per currency across all their events', async () => {
    const dashboard = await http.json<Dashboard>(organizer.token, '/v1/organizer/dashboard');

    expect(dashboard.events).toEqual({ total: 2, onSale: 2, cancelled: 0, upcoming: 2 });
    expect(dashboard.tickets).toEqual({ sold: 2 + 1 + 3 + 2, cancelled: 1 });
    expect(dashboard.orders).toEqual({ placed: 4, confirmed: 3, cancelled: 1 });
    expect(dashboard.revenue).toEqual([
      { currency: 'EUR', gross: 14_000 + 7_500 + 9_000, refunds: 9_000, net: 14_000 + 7_500 },
      { currency: 'USD', gross: 8_000, refunds: 0, net: 8_000 },
    ]);
  });

  it('lists the upcoming events soonest first with their fill rate', async () => {
    const dashboard = await http.json<Dashboard>(organizer.token, '/v1/organizer/dashboard');

    expect(
      dashboard.upcoming.map((event) => [event.id, event.sold, event.remaining, event.fillRate]),
    ).toEqual([
      [paris.eventId, 6, 19, 0.2],
      [newYork.eventId, 2, 8, 0.2],
    ]);
    expect(dashboard.upcoming[1]).toMatchObject({ timezone: 'America/New_York', capacity: 10 });
  });

  it('shows another organizer nothing of these events', async () => {
    const stranger = await person();
    const dashboard = await http.json<Dashboard>(stranger.token, '/v1/organizer/dashboard');

    expect(dashboard.events.total).toBe(0);
    expect(dashboard.orders.placed).toBe(0);
    expect(dashboard.revenue).toEqual([]);
    expect(dashboard.upcoming).toEqual([]);
  });

  it("reports an event's tiers, utilisation, cancellations and sales over time as bought through the API", async () => {
    const metrics = await http.json<EventMetrics>(
      organizer.token,
      metricsPath(paris.eventId, 'interval=hour'),
    );

    expect(metrics.event).toMatchObject({ id: paris.eventId, status: 'on_sale', timezone: 'Europe/Paris' });
    expect(metrics.tiers.map((tier) => [tier.name, tier.sold, tier.remaining])).toEqual([
      ['Standard', 5, 15],
      ['VIP', 1, 4],
    ]);
    expect(metrics).toMatchObject({ capacity: 30, sold: 6, remaining: 19, utilisation: 0.2 });
    expect(metrics.orders).toEqual({ placed: 3, confirmed: 2, cancelled: 1 });
    expect(metrics.tickets).toEqual({ sold: 6, cancelled: 1 });
    expect(metrics.revenue).toEqual([{ currency: 'EUR', gross: 30_500, refunds: 9_000, net: 21_500 }]);

    // Every sale of this test happened within the last minutes: the series holds them all, in the last bucket.
    const series = metrics.series;
    expect(sumOf(series.map((bucket) => bucket.orders))).toBe(3);
    expect(sumOf(series.map((bucket) => bucket.tickets))).toBe(7);
    expect(sumOf(series.map((bucket) => bucket.gross.EUR ?? 0))).toBe(30_500);
    expect(sumOf(series.map((bucket) => bucket.cancelledOrders))).toBe(1);
    expect(sumOf(series.map((bucket) => bucket.cancelledTickets))).toBe(1);
    expect(sumOf(series.map((bucket) => bucket.refunds.EUR ?? 0))).toBe(9_000);
    const last = series[series.length - 1];
    expect(last?.orders).toBeGreaterThan(0);
    expect(new Date(metrics.window.to).getTime()).toBeGreaterThan(Date.now() - 1000);
  });
});

describe('sales over time', () => {
  it("buckets sales on the event's local days, a 23-hour day included when clocks spring forward", async () => {
    const organizer = await person();
    const event = await putOnSale(organizer.userId, {
      tiers: [{ price: 1000, quantity: 50 }],
      timezone: 'America/New_York',
    });
    const tierId = event.tiers[0]?.tierId ?? '';
    const buyer = await person();
    // 2026-03-08 is 23 hours long in New York: from 05:00Z (midnight EST) to 04:00Z next day (midnight EDT).
    const placedAt = [
      '2026-03-08T04:59:59.999Z', // 23:59:59 on the 7th
      '2026-03-08T05:00:00.000Z', // 00:00 on the 8th (EST)
      '2026-03-09T03:59:59.999Z', // 23:59:59 on the 8th (EDT)
      '2026-03-09T04:00:00.000Z', // 00:00 on the 9th (EDT)
    ];
    const orders = [];
    for (const [index, at] of placedAt.entries()) {
      const order = await http.buy(buyer, event.eventId, [{ tierId, quantity: index + 1 }]);
      await backdate(order.id, at);
      orders.push(order);
    }
    // The order placed on the 8th at midnight was cancelled on the 9th at 00:30 EDT.
    await http.cancel(buyer, orders[1]?.id ?? '');
    await backdate(orders[1]?.id ?? '', placedAt[1] as string, '2026-03-09T04:30:00Z');

    const metrics = await http.json<EventMetrics>(
      organizer.token,
      metricsPath(event.eventId, 'interval=day&from=2026-03-07T05:00:00Z&to=2026-03-10T04:00:00Z'),
    );

    expect(metrics.window).toEqual({
      from: '2026-03-07T05:00:00.000Z',
      to: '2026-03-10T04:00:00.000Z',
      interval: 'day',
      timezone: 'America/New_York',
    });
    expect(
      metrics.series.map((bucket) => [
        bucket.start,
        bucket.local,
        bucket.orders,
        bucket.tickets,
        bucket.gross.EUR,
        bucket.cancelledOrders,
        bucket.refunds.EUR,
      ]),
    ).toEqual([
      ['2026-03-07T05:00:00.000Z', '2026-03-07T00:00:00-05:00', 1, 1, 1000, 0, 0],
      ['2026-03-08T05:00:00.000Z', '2026-03-08T00:00:00-05:00', 2, 2 + 3, 5000, 0, 0],
      ['2026-03-09T04:00:00.000Z', '2026-03-09T00:00:00-04:00', 1, 4, 4000, 1, 2000],
    ]);
    // All time: the same orders, whatever the window.
    expect(metrics.orders).toEqual({ placed: 4, confirmed: 3, cancelled: 1 });
    expect(metrics.tickets).toEqual({ sold: 1 + 3 + 4, cancelled: 2 });
  });

  it('skips the local hour that does not exist and keeps empty hours, so charts stay continuous', async () => {
    const organizer = await person();
    const event = await putOnSale(organizer.userId, {
      tiers: [{ price: 500, quantity: 20 }],
      timezone: 'America/New_York',
    });
    const buyer = await person();
    const order = await http.buy(buyer, event.eventId, [
      { tierId: event.tiers[0]?.tierId ?? '', quantity: 2 },
    ]);
    await backdate(order.id, '2026-03-08T07:15:00Z'); // 03:15 EDT, right after the jump from 02:00 EST

    const metrics = await http.json<EventMetrics>(
      organizer.token,
      metricsPath(event.eventId, 'interval=hour&from=2026-03-08T05:00:00Z&to=2026-03-08T09:00:00Z'),
    );

    expect(metrics.series.map((bucket) => [bucket.local, bucket.orders, bucket.tickets])).toEqual([
      ['2026-03-08T00:00:00-05:00', 0, 0],
      ['2026-03-08T01:00:00-05:00', 0, 0],
      ['2026-03-08T03:00:00-04:00', 1, 2],
      ['2026-03-08T04:00:00-04:00', 0, 0],
    ]);
  });

  it('puts hour boundaries on the half hour in India, and adds sales made since the last seal', async () => {
    const organizer = await person();
    const event = await putOnSale(organizer.userId, {
      tiers: [{ price: 700, quantity: 20 }],
      timezone: 'Asia/Kolkata',
    });
    const tierId = event.tiers[0]?.tierId ?? '';
    const buyer = await person();
    const before = await http.buy(buyer, event.eventId, [{ tierId, quantity: 1 }]);
    const after = await http.buy(buyer, event.eventId, [{ tierId, quantity: 3 }]);
    await backdate(before.id, '2026-01-10T10:29:59.999Z'); // 15:59:59 IST
    await backdate(after.id, '2026-01-10T10:30:00Z'); // 16:00 IST
    const window = 'interval=hour&from=2026-01-10T09:30:00Z&to=2026-01-10T11:30:00Z';

    const sealed = await http.json<EventMetrics>(organizer.token, metricsPath(event.eventId, window));
    expect(
      sealed.series.map((bucket) => [bucket.start, bucket.local, bucket.orders, bucket.tickets]),
    ).toEqual([
      ['2026-01-10T09:30:00.000Z', '2026-01-10T15:00:00+05:30', 1, 1],
      ['2026-01-10T10:30:00.000Z', '2026-01-10T16:00:00+05:30', 1, 3],
    ]);
    // That read sealed the old orders into the rollup; a purchase now is read from the orders table, next to them.
    const rollup = await db.query('SELECT sealed_until FROM sales_rollups WHERE event_id = $1', [
      event.eventId,
    ]);
    expect(rollup.rows[0]?.sealed_until.getTime()).toBeGreaterThan(
      new Date('2026-01-10T10:30:00Z').getTime(),
    );
    await http.buy(buyer, event.eventId, [{ tierId, quantity: 2 }]);
    await http.cancel(buyer, before.id);

    const later = await http.json<EventMetrics>(organizer.token, metricsPath(event.eventId, window));
    expect(later.series.map((bucket) => bucket.orders)).toEqual([1, 1]);
    expect(later.orders).toEqual({ placed: 3, confirmed: 2, cancelled: 1 });
    expect(later.tickets).toEqual({ sold: 3 + 2, cancelled: 1 });
    expect(later.revenue).toEqual([{ currency: 'EUR', gross: 6 * 700, refunds: 700, net: 5 * 700 }]);
    const now = await http.json<EventMetrics>(organizer.token, metricsPath(event.eventId, 'interval=day'));
    expect(sumOf(now.series.map((bucket) => bucket.orders))).toBe(3);
    expect(sumOf(now.series.map((bucket) => bucket.cancelledOrders))).toBe(1);

    // Rebuilt from the orders alone, the rollup gives the same figures.
    await resetSalesRollup(db, event.eventId);
    const rebuilt = await http.json<EventMetrics>(organizer.token, metricsPath(event.eventId, window));
    expect({ ...rebuilt, generatedAt: '' }).toEqual({ ...later, generatedAt: '' });
  });

  it('gives every one of many concurrent first reads the same figures while one of them seals', async () => {
    const organizer = await person();
    const event = await putOnSale(organizer.userId, {
      tiers: [{ price: 900, quantity: 100 }],
      timezone: 'Europe/Paris',
    });
    const buyer = await person();
    for (let day = 1; day <= 6; day++) {
      const order = await http.buy(buyer, event.eventId, [
        { tierId: event.tiers[0]?.tierId ?? '', quantity: day },
      ]);
      await backdate(order.id, `2026-10-0${day}T10:00:00Z`);
    }
    const window = 'interval=day&from=2026-09-30T22:00:00Z&to=2026-10-07T22:00:00Z';

    const reads = await Promise.all(
      Array.from({ length: 8 }, () =>
        http.json<EventMetrics>(organizer.token, metricsPath(event.eventId, window)),
      ),
    );

    for (const metrics of reads) {
      expect(metrics.series.map((bucket) => bucket.tickets)).toEqual([1, 2, 3, 4, 5, 6, 0]);
      expect(metrics.orders.placed).toBe(6);
    }
  });
});

describe('ownership and parameters', () => {
  let owner: Person;
  let eventId: string;

  beforeAll(async () => {
    owner = await person();
    eventId = (await putOnSale(owner.userId, { tiers: [{ price: 1000, quantity: 5 }] })).eventId;
  });

  it("answers another organizer 404 for the metrics, attendees and export of an event that isn't theirs", async () => {
    const stranger = await person();
    for (const path of [
      metricsPath(eventId),
      `/v1/organizer/events/${eventId}/attendees`,
      `/v1/organizer/events/${eventId}/attendees.csv`,
    ]) {
      const response = await http.get(stranger.token, path);
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await http.get(owner.token, path)).status).toBe(200);
    }
  });

  it('answers 404 for an unknown event, 400 for an id that is not one, 401 without a token', async () => {
    expect((await http.get(owner.token, metricsPath('0b5f8a36-3c1e-4d8e-9a51-000000000000'))).status).toBe(
      404,
    );
    expect((await http.get(owner.token, metricsPath('not-a-uuid'))).status).toBe(400);
    expect((await http.get(undefined, metricsPath(eventId))).status).toBe(401);
    expect((await http.get(undefined, '/v1/organizer/dashboard')).status).toBe(401);
  });

  it('refuses a bad interval, window or page with a 400 that names each field', async () => {
    const cases: [string, string, string][] = [
      [metricsPath(eventId, 'interval=week'), 'interval', ''],
      [metricsPath(eventId, 'from=yesterday'), 'from', ''],
      [metricsPath(eventId, 'to=2026-13-01T00:00:00Z'), 'to', ''],
      [metricsPath(eventId, 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'), 'to', 'before'],
      [
        metricsPath(eventId, 'interval=hour&from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z'),
        'from',
        '2000',
      ],
      [
        metricsPath(eventId, 'interval=day&from=2010-01-01T00:00:00Z&to=2026-06-01T00:00:00Z'),
        'from',
        '2000',
      ],
      [`/v1/organizer/events/${eventId}/attendees?limit=0`, 'limit', ''],
      [`/v1/organizer/events/${eventId}/attendees?status=lost`, 'status', ''],
      [`/v1/organizer/events/${eventId}/attendees.csv?limit=20001`, 'limit', ''],
    ];
    for (const [path, field, says] of cases) {
      const response = await http.get(owner.token, path);
      const problem = (await response.json()) as { errors?: { field: string; message: string }[] };
      expect([path, response.status]).toEqual([path, 400]);
      expect(problem.errors?.map((error) => error.field)).toContain(field);
      expect(problem.errors?.find((error) => error.field === field)?.message).toContain(says);
    }
    const cursor = await http.get(owner.token, `/v1/organizer/events/${eventId}/attendees?cursor=bm9wZQ`);
    expect(cursor.status).toBe(400);
  });

  it('accepts a window of exactly the longest size, with at most 2000 buckets', async () => {
    const from = '2026-01-01T00:00:00Z';
    const to = new Date(new Date(from).getTime() + 1998 * 3600_000).toISOString();
    const metrics = await http.json<EventMetrics>(
      owner.token,
      metricsPath(eventId, `interval=hour&from=${from}&to=${to}`),
    );
    expect(metrics.series.length).toBeLessThanOrEqual(2000);
    expect(metrics.series.length).toBeGreaterThanOrEqual(1998);
  });
});
