// The data of the tickets service's messages, shaped as it publishes them, for the tests of the services that consume
// them.
import { randomUUID } from 'node:crypto';
import type { OrderCancelledV1, TicketPurchasedV1 } from '../../events/contracts/tickets';

const HOUR = 3_600_000;

/** A purchase of one Standard ticket at 25.00 EUR for a two-hour show starting at `startsAt`. */
export function ticketPurchase(
  startsAt: Date,
  options: { eventId?: string; userId?: string; place?: string; code?: string; qr?: string } = {},
): TicketPurchasedV1 {
  const tierId = randomUUID();
  const userId = options.userId ?? randomUUID();
  const code = options.code ?? `C-${randomUUID().slice(0, 6)}`;
  return {
    orderId: randomUUID(),
    eventId: options.eventId ?? randomUUID(),
    buyer: { userId, email: `${userId}@example.com`, firstName: 'Ada' },
    event: {
      name: 'Show',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 2 * HOUR).toISOString(),
      timezone: 'Europe/Paris',
      place: options.place ?? 'Olympia, Paris, France',
    },
    items: [{ tierId, tierName: 'Standard', quantity: 1, unitPrice: 2500 }],
    tickets: [
      {
        id: randomUUID(),
        tierId,
        tierName: 'Standard',
        code,
        ...(options.qr === undefined ? {} : { qr: options.qr }),
      },
    ],
    total: 2500,
    currency: 'EUR',
  };
}

/** The cancellation of `order`, refunding all of it. */
export const cancellationOf = (
  order: TicketPurchasedV1,
  reason: OrderCancelledV1['reason'] = 'customer',
): OrderCancelledV1 => ({
  orderId: order.orderId,
  eventId: order.eventId,
  buyer: order.buyer,
  event: order.event,
  refund: order.total,
  currency: order.currency,
  reason,
});
