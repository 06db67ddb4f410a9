// The organizer dashboard's responses, shaped from the figures its store reads: buckets filled per currency, totals
// summed across currencies, fill rates. No SQL here.
import { fillRate, localTime, type MetricsWindow, revenueLines } from './dashboard';
import type { Dashboard, EventMetrics } from './dashboard.schemas';
import type { OwnedEvent } from './dashboard.store';

/** Sales and cancellations in one currency, over some span of time. */
export interface SalesFigures {
  currency: string;
  orders: number;
  tickets: number;
  gross: number;
  cancelledOrders: number;
  cancelledTickets: number;
  refunds: number;
}

export interface TierFigures {
  tierId: string;
  name: string;
  price: number;
  currency: string;
  quantity: number;
  sold: number;
}

export interface MetricsFigures {
  /** Each bucket's start, and the zone's UTC offset then. */
  buckets: { start: Date; offsetSeconds: number }[];
  /** Where the last bucket ends. */
  stop: Date;
  /** Figures per (1-based bucket, currency); a bucket without sales has none. */
  cells: (SalesFigures & { bucket: number })[];
  /** All-time figures per currency. */
  totals: SalesFigures[];
  tiers: TierFigures[];
}

export interface DashboardFigures {
  events: Dashboard['events'];
  /** Tickets sold across the organizer's events, now. */
  sold: number;
  /** All-time figures per currency across the organizer's events. */
  money: SalesFigures[];
  upcoming: (Omit<Dashboard['upcoming'][number], 'startsAt' | 'endsAt' | 'fillRate'> & {
    startsAt: Date;
    endsAt: Date;
  })[];
}

const orderCounts = (lines: SalesFigures[]) => {
  const sum = (pick: (line: SalesFigures) => number) => lines.reduce((total, line) => total + pick(line), 0);
  return {
    orders: {
      placed: sum((line) => line.orders),
      confirmed: sum((line) => line.orders - line.cancelledOrders),
      cancelled: sum((line) => line.cancelledOrders),
    },
    cancelledTickets: sum((line) => line.cancelledTickets),
  };
};

/** The metrics response of one event. */
export function eventMetricsOf(
  figures: MetricsFigures,
  event: OwnedEvent,
  window: MetricsWindow,
  timeZone: string,
  now: Date,
): EventMetrics {
  const onSale = event.status === 'on_sale';
  const { tiers, totals } = figures;
  const currencies = [
    ...new Set([...tiers.map((tier) => tier.currency), ...totals.map((line) => line.currency)]),
  ].sort();
  const zeroes = () => Object.fromEntries(currencies.map((currency) => [currency, 0]));
  const series = figures.buckets.map(({ start, offsetSeconds }) => ({
    start: start.toISOString(),
    local: localTime(start, offsetSeconds),
    orders: 0,
    tickets: 0,
    gross: zeroes(),
    cancelledOrders: 0,
    cancelledTickets: 0,
    refunds: zeroes(),
  }));
  for (const cell of figures.cells) {
    const entry = series[cell.bucket - 1];
    if (!entry) continue;
    entry.orders += cell.orders;
    entry.tickets += cell.tickets;
    entry.gross[cell.currency] = (entry.gross[cell.currency] ?? 0) + cell.gross;
    entry.cancelledOrders += cell.cancelledOrders;
    entry.cancelledTickets += cell.cancelledTickets;
    entry.refunds[cell.currency] = (entry.refunds[cell.currency] ?? 0) + cell.refunds;
  }
  const sold = tiers.reduce((sum, tier) => sum + tier.sold, 0);
  const quantity = tiers.reduce((sum, tier) => sum + tier.quantity, 0);
  const { orders, cancelledTickets } = orderCounts(totals);
  return {
    event: {
      id: event.id,
      name: event.name,
      status: event.status,
      startsAt: event.startsAt.toISOString(),
      endsAt: event.endsAt.toISOString(),
      timezone: timeZone,
      place: event.place,
    },
    capacity: event.capacity,
    sold,
    remaining: onSale ? quantity - sold : 0,
    utilisation: fillRate(sold, event.capacity),
    tiers: tiers.map((tier) => ({ ...tier, remaining: onSale ? tier.quantity - tier.sold : 0 })),
    orders,
    tickets: { sold, cancelled: cancelledTickets },
    revenue: revenueLines(totals),
    window: {
      from: (figures.buckets[0] as MetricsFigures['buckets'][number]).start.toISOString(),
      to: figures.stop.toISOString(),
      interval: window.interval,
      timezone: timeZone,
    },
    series,
    generatedAt: now.toISOString(),
  };
}

/** The dashboard response across an organizer's events. */
export function dashboardOf(figures: DashboardFigures, now: Date): Dashboard {
  const { orders, cancelledTickets } = orderCounts(figures.money);
  return {
    events: figures.events,
    tickets: { sold: figures.sold, cancelled: cancelledTickets },
    orders,
    revenue: revenueLines(figures.money),
    upcoming: figures.upcoming.map((event) => ({
      ...event,
      startsAt: event.startsAt.toISOString(),
      endsAt: event.endsAt.toISOString(),
      fillRate: fillRate(event.sold, event.capacity),
    })),
    generatedAt: now.toISOString(),
  };
}
