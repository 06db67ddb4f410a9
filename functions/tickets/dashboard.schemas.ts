// Request and response schemas of the organizer dashboard: sales across events, one event's metrics over time,
// its attendees, and their CSV export. Money is in minor units of its ISO 4217 currency.
import * as z from 'zod';
import { pageQuery } from '../../layers/common/pagination';

export const MAX_BUCKETS = 2000;
export const MAX_EXPORT_ROWS = 20_000;
export const INTERVALS = ['hour', 'day'] as const;
export type Interval = (typeof INTERVALS)[number];

const instant = z.iso.datetime({ offset: true });

export const metricsQuery = z.object({
  from: instant.optional().meta({
    description:
      'Start of the window, an ISO 8601 instant (inclusive; widened to the start of its bucket). Default: the first ' +
      `sale, or the last ${MAX_BUCKETS} buckets before \`to\` when sales began earlier.`,
  }),
  to: instant.optional().meta({
    description:
      'End of the window, an ISO 8601 instant (exclusive; widened to the end of its bucket). Default: now, or the ' +
      'start of the event once it has started (sales end then).',
  }),
  interval: z
    .enum(INTERVALS)
    .default('day')
    .meta({
      description: `Bucket size, in the event's time zone; at most ${MAX_BUCKETS} buckets per request.`,
    }),
});
export type MetricsQuery = z.infer<typeof metricsQuery>;

const ticketStatus = z.enum(['valid', 'void']);

export const attendeesQuery = z.object({
  ...pageQuery,
  status: ticketStatus
    .optional()
    .meta({ description: 'Only valid tickets, or only void ones (of cancelled orders); default: both.' }),
});

export const exportQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_EXPORT_ROWS)
    .default(MAX_EXPORT_ROWS)
    .meta({ description: `Rows (tickets) per file, at most ${MAX_EXPORT_ROWS}.` }),
  cursor: z
    .string()
    .max(500)
    .optional()
    .meta({ description: 'The `x-next-cursor` of the previous file, to get the rows after it.' }),
  status: attendeesQuery.shape.status,
});

const count = z.number().int().min(0);
const money = z.number().int();
const ratio = z
  .number()
  .min(0)
  .meta({ description: 'Tickets sold (valid) divided by the capacity, 0 to 1 (4 decimals).' });

export const revenueLine = z
  .object({
    currency: z.string(),
    gross: money.meta({
      description:
        'Sum of the totals of every order placed (confirmed, and cancelled later), in minor units.',
    }),
    refunds: money.meta({ description: 'Sum of the refunds of cancelled orders, in minor units.' }),
    net: money.meta({ description: 'gross − refunds: what the organizer keeps, in minor units.' }),
  })
  .meta({ description: 'Revenue in one currency (never summed across currencies).' });

const orderCounts = z.object({
  placed: count.meta({ description: 'Orders ever placed (confirmed or cancelled since).' }),
  confirmed: count.meta({ description: 'Orders that stand.' }),
  cancelled: count.meta({ description: 'Orders cancelled (by the buyer or with the event), each refunded.' }),
});

const ticketCounts = z.object({
  sold: count.meta({ description: 'Valid tickets: sold and not cancelled.' }),
  cancelled: count.meta({ description: 'Tickets voided by cancellations.' }),
});

const eventFacts = {
  id: z.uuid(),
  name: z.string(),
  status: z.enum(['on_sale', 'cancelled']),
  startsAt: z.string(),
  endsAt: z.string(),
  timezone: z.string(),
  place: z.string(),
};

export const upcomingEvent = z.object({
  ...eventFacts,
  capacity: count,
  sold: count,
  remaining: count.meta({ description: 'Tickets still on sale across the tiers.' }),
  fillRate: ratio,
});

export const dashboard = z.object({
  events: z.object({
    total: count,
    onSale: count,
    cancelled: count,
    upcoming: count.meta({ description: 'On sale and not started yet.' }),
  }),
  tickets: ticketCounts,
  orders: orderCounts,
  revenue: z.array(revenueLine),
  upcoming: z
    .array(upcomingEvent)
    .meta({ description: 'The 50 soonest events that are on sale and have not started, soonest first.' }),
  generatedAt: z.string(),
});
export type Dashboard = z.infer<typeof dashboard>;

const perCurrency = z
  .record(z.string(), money)
  .meta({ description: 'Minor units per currency; every currency of the event is present (0 when none).' });

export const bucket = z.object({
  start: z.string().meta({ description: 'Start of the bucket, an ISO 8601 instant (UTC).' }),
  local: z.string().meta({
    description:
      "Start of the bucket in the event's time zone, with its UTC offset (e.g. 2026-03-29T03:00:00+02:00).",
  }),
  orders: count.meta({ description: 'Orders placed in the bucket.' }),
  tickets: count.meta({ description: 'Tickets in the orders placed in the bucket.' }),
  gross: perCurrency,
  cancelledOrders: count.meta({ description: 'Orders cancelled in the bucket (whenever they were placed).' }),
  cancelledTickets: count,
  refunds: perCurrency,
});

export const tierMetrics = z.object({
  tierId: z.uuid(),
  name: z.string(),
  price: money,
  currency: z.string(),
  quantity: count,
  sold: count,
  remaining: count.meta({ description: 'Still on sale (0 once the event is cancelled).' }),
});

export const eventMetrics = z.object({
  event: z.object(eventFacts),
  capacity: count,
  sold: count.meta({ description: 'Valid tickets across the tiers.' }),
  remaining: count,
  utilisation: ratio,
  tiers: z.array(tierMetrics),
  orders: orderCounts,
  tickets: ticketCounts,
  revenue: z.array(revenueLine),
  window: z.object({
    from: z.string().meta({ description: 'Start of the first bucket (instant).' }),
    to: z.string().meta({ description: 'End of the last bucket (instant, exclusive).' }),
    interval: z.enum(INTERVALS),
    timezone: z.string(),
  }),
  series: z
    .array(bucket)
    .meta({ description: 'One entry per bucket of the window, empty ones included, oldest first.' }),
  generatedAt: z.string(),
});
export type EventMetrics = z.infer<typeof eventMetrics>;

export const attendee = z.object({
  ticketId: z.uuid(),
  ticketCode: z.string(),
  ticketStatus: ticketStatus,
  tierId: z.uuid(),
  tierName: z.string(),
  orderId: z.uuid(),
  orderStatus: z.enum(['pending_payment', 'confirmed', 'cancelled']),
  email: z.string(),
  firstName: z.string(),
  purchasedAt: z.string(),
  purchasedAtLocal: z.string().meta({ description: "When the order was placed, in the event's time zone." }),
});
export type Attendee = z.infer<typeof attendee>;
