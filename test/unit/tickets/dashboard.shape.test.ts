// The dashboard's responses shaped from the figures its store reads: buckets per currency, totals across currencies,
// and nothing left for sale once an event is cancelled.
import { describe, expect, it } from 'vitest';
import { dashboardOf, eventMetricsOf, type SalesFigures } from '../../../functions/tickets/dashboard.shape';
import type { OwnedEvent } from '../../../functions/tickets/dashboard.store';

const now = new Date('2026-11-25T12:00:00Z');
const figures = (currency: string, values: Partial<SalesFigures>): SalesFigures => ({
  currency,
  orders: 0,
  tickets: 0,
  gross: 0,
  cancelledOrders: 0,
  cancelledTickets: 0,
  refunds: 0,
  ...values,
});
const event: OwnedEvent = {
  id: '00000000-0000-4000-8000-0000000000ee',
  name: 'Show',
  status: 'on_sale',
  capacity: 100,
  startsAt: new Date('2026-12-24T20:00:00Z'),
  endsAt: new Date('2026-12-24T23:00:00Z'),
  timezone: 'Europe/Paris',
  place: 'Olympia',
  firstSaleAt: new Date('2026-11-25T08:00:00Z'),
  sealDue: false,
};
const tier = {
  tierId: '00000000-0000-4000-8000-000000000001',
  name: 'Standard',
  price: 2500,
  currency: 'EUR',
};

describe('event metrics', () => {
  const metrics = (status: OwnedEvent['status']) =>
    eventMetricsOf(
      {
        buckets: [
          { start: new Date('2026-11-25T08:00:00Z'), offsetSeconds: 3600 },
          { start: new Date('2026-11-25T09:00:00Z'), offsetSeconds: 3600 },
        ],
        stop: new Date('2026-11-25T10:00:00Z'),
        cells: [
          { bucket: 1, ...figures('EUR', { orders: 2, tickets: 3, gross: 7500 }) },
          { bucket: 2, ...figures('EUR', { cancelledOrders: 1, cancelledTickets: 1, refunds: 2500 }) },
          { bucket: 2, ...figures('USD', { orders: 1, tickets: 1, gross: 3000 }) },
        ],
        totals: [
          figures('EUR', {
            orders: 2,
            tickets: 3,
            gross: 7500,
            cancelledOrders: 1,
            cancelledTickets: 1,
            refunds: 2500,
          }),
          figures('USD', { orders: 1, tickets: 1, gross: 3000 }),
        ],
        tiers: [{ ...tier, quantity: 60, sold: 3 }],
      },
      { ...event, status },
      { from: new Date('2026-11-25T08:00:00Z'), to: new Date('2026-11-25T10:00:00Z'), interval: 'hour' },
      'Europe/Paris',
      now,
    );

  it('fills each bucket per currency, with zero for a currency that sold nothing in it', () => {
    const { series } = metrics('on_sale');
    expect(series.map((bucket) => bucket.local)).toEqual([
      '2026-11-25T09:00:00+01:00',
      '2026-11-25T10:00:00+01:00',
    ]);
    expect(series[0]).toMatchObject({ orders: 2, tickets: 3, gross: { EUR: 7500, USD: 0 } });
    expect(series[1]).toMatchObject({
      orders: 1,
      cancelledOrders: 1,
      gross: { EUR: 0, USD: 3000 },
      refunds: { EUR: 2500, USD: 0 },
    });
  });

  it('sums orders across currencies and keeps revenue per currency', () => {
    const shaped = metrics('on_sale');
    expect(shaped.orders).toEqual({ placed: 3, confirmed: 2, cancelled: 1 });
    expect(shaped.tickets).toEqual({ sold: 3, cancelled: 1 });
    expect(shaped.revenue).toEqual([
      { currency: 'EUR', gross: 7500, refunds: 2500, net: 5000 },
      { currency: 'USD', gross: 3000, refunds: 0, net: 3000 },
    ]);
    expect(shaped).toMatchObject({ capacity: 100, sold: 3, remaining: 57, utilisation: 0.03 });
    expect(shaped.window).toEqual({
      from: '2026-11-25T08:00:00.000Z',
      to: '2026-11-25T10:00:00.000Z',
      interval: 'hour',
      timezone: 'Europe/Paris',
    });
  });

  it('shows nothing remaining once the event is cancelled', () => {
    const shaped = metrics('cancelled');
    expect(shaped.remaining).toBe(0);
    expect(shaped.tiers.map((line) => line.remaining)).toEqual([0]);
  });
});

describe('the organizer dashboard', () => {
  it('lists upcoming events with their fill rate and totals across the organizer’s events', () => {
    const shaped = dashboardOf(
      {
        events: { total: 2, onSale: 1, cancelled: 1, upcoming: 1 },
        sold: 40,
        money: [
          figures('EUR', { orders: 5, gross: 10000, cancelledOrders: 1, cancelledTickets: 2, refunds: 2000 }),
        ],
        upcoming: [
          {
            id: event.id,
            name: event.name,
            status: 'on_sale',
            startsAt: event.startsAt,
            endsAt: event.endsAt,
            timezone: event.timezone,
            place: event.place,
            capacity: 100,
            sold: 40,
            remaining: 60,
          },
        ],
      },
      now,
    );
    expect(shaped.orders).toEqual({ placed: 5, confirmed: 4, cancelled: 1 });
    expect(shaped.tickets).toEqual({ sold: 40, cancelled: 2 });
    expect(shaped.upcoming[0]).toMatchObject({ startsAt: '2026-12-24T20:00:00.000Z', fillRate: 0.4 });
    expect(shaped.generatedAt).toBe(now.toISOString());
  });
});
