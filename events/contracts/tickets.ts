// Messages the tickets service publishes on the `ticket-events` topic (consumed by notifications).
import * as z from 'zod';
import { eventSnapshot } from './catalogue';

export const TICKET_EVENTS_TOPIC = 'ticket-events';

const buyer = z.object({ userId: z.uuid(), email: z.email(), firstName: z.string() });
const item = z.object({
  tierId: z.uuid(),
  tierName: z.string(),
  quantity: z.number().int().positive(),
  unitPrice: z.number().int(),
});

export const ticketPurchasedV1 = z.object({
  orderId: z.uuid(),
  eventId: z.uuid(),
  buyer,
  event: eventSnapshot,
  items: z.array(item),
  tickets: z.array(
    z.object({
      id: z.uuid(),
      tierId: z.uuid(),
      tierName: z.string(),
      code: z.string(),
      /** The signed compact payload the ticket's QR code encodes (absent from messages older than QR tickets). */
      qr: z.string().optional(),
    }),
  ),
  total: z.number().int(),
  currency: z.string().length(3),
  /**
   * Until when the buyer can cancel a paid order for a refund; null: the event's policy gives no refunds. Absent from
   * free orders and from messages older than per-event refund policies.
   */
  refundableUntil: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type TicketPurchasedV1 = z.infer<typeof ticketPurchasedV1>;

export const orderCancelledV1 = z.object({
  orderId: z.uuid(),
  eventId: z.uuid(),
  buyer,
  event: eventSnapshot,
  refund: z.number().int(),
  currency: z.string().length(3),
  /**
   * `customer` when the buyer cancelled, `event-cancelled` when the organizer cancelled the event, `organizer` when
   * the organizer cancelled this order, `payment-late` when the payment came after the hold had expired and its seats
   * were sold (the payment is refunded).
   */
  reason: z.enum(['customer', 'event-cancelled', 'organizer', 'payment-late']),
  /** Where the refund stands at the provider when the message was written (absent: done or nothing to refund). */
  refundStatus: z.enum(['pending', 'succeeded', 'failed']).optional(),
});
export type OrderCancelledV1 = z.infer<typeof orderCancelledV1>;

export const TicketMessageTypes = {
  TicketPurchased: { type: 'TicketPurchased', version: 1, schema: ticketPurchasedV1 },
  OrderCancelled: { type: 'OrderCancelled', version: 1, schema: orderCancelledV1 },
} as const;
