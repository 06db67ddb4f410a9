// tickets.salesSummary: what one organizer's events sold, refunded and admitted in a window, asked by notifications
// for the daily sales summary email (a synchronous internal call: notifications never reads the tickets database).
import * as z from 'zod';

export const salesSummaryRequest = z.object({
  organizerId: z.uuid(),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});
export type SalesSummaryRequest = z.infer<typeof salesSummaryRequest>;

const money = { currency: z.string().length(3), amount: z.number().int() };

export const eventSalesSummary = z.object({
  eventId: z.uuid(),
  name: z.string(),
  startsAt: z.iso.datetime({ offset: true }),
  /** Tickets of orders placed in the window, by tier and currency (revenue in minor units). */
  tiers: z.array(z.object({ tier: z.string(), tickets: z.number().int(), ...money })),
  /** Orders cancelled in the window after they were placed, and what was refunded for them. */
  refunds: z.object({
    orders: z.number().int(),
    tickets: z.number().int(),
    amounts: z.array(z.object(money)),
  }),
  /** Tickets admitted at the door in the window. */
  checkIns: z.number().int(),
});
export type EventSalesSummary = z.infer<typeof eventSalesSummary>;

/** Only events with something to tell (a sale, a refund or a check-in in the window). */
export const salesSummaryResponse = z.object({ events: z.array(eventSalesSummary) });
export type SalesSummaryResponse = z.infer<typeof salesSummaryResponse>;
