// The rules of buying and cancelling: what an order costs, what a ticket code looks like, when an order may be
// cancelled, and how a purchase request is fingerprinted for idempotency. No SQL, no AWS here.
import { createHash, randomBytes } from 'node:crypto';
import { type OrderCancelledV1, TicketMessageTypes } from '../../events/contracts/tickets';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { PurchaseRequest } from './schemas';

/** 20 characters of base32 (100 bits): unguessable, easy to read aloud at a door. */
export function ticketCode(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bytes = randomBytes(20);
  let code = '';
  for (const byte of bytes) code += alphabet[byte & 31];
  return `${code.slice(0, 5)}-${code.slice(5, 10)}-${code.slice(10, 15)}-${code.slice(15, 20)}`;
}

/** The same purchase always hashes the same, whatever the order of its items. */
export function requestFingerprint(eventId: string, request: PurchaseRequest): string {
  const items = [...request.items]
    .sort((a, b) => a.tierId.localeCompare(b.tierId))
    .map((item) => [item.tierId, item.quantity]);
  return createHash('sha256')
    .update(JSON.stringify([eventId, items]))
    .digest('base64url');
}

export interface PricedItem {
  tierId: string;
  tierName: string;
  quantity: number;
  unitPrice: number;
  currency: string;
}

export function orderTotal(items: PricedItem[]): { total: number; currency: string } {
  const currencies = new Set(items.map((item) => item.currency));
  if (currencies.size !== 1) throw new Error('an order must be in a single currency');
  return {
    total: items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0),
    currency: [...currencies][0] as string,
  };
}

/**
 * Until when cancelling a paid order refunds it: `hoursBefore` hours before the event starts, or never (null) when the
 * event's refund policy, as it stood when the order was bought, gives no refunds. A free order has nothing to refund.
 */
export function refundableUntil(order: {
  total: number;
  eventStartsAt: Date;
  refundHoursBefore: number | null;
}): Date | null {
  if (order.total <= 0 || order.refundHoursBefore === null) return null;
  return new Date(order.eventStartsAt.getTime() - order.refundHoursBefore * 3_600_000);
}

export type CancelVerdict =
  | 'ok'
  | 'already-cancelled'
  | 'event-started'
  | 'not-refundable'
  | 'refund-deadline-passed';

/**
 * Buyers may cancel until the event starts; a paid (confirmed) order only while cancelling still refunds it, since
 * a buyer cancelling is asking for their money back. An order still awaiting payment can always be let go before the
 * start: nothing was paid.
 */
export function cancellable(
  order: { status: string; total: number; eventStartsAt: Date; refundHoursBefore: number | null },
  now: Date,
): CancelVerdict {
  // An expired order has already given its seats back: there is nothing left to cancel.
  if (order.status === 'cancelled' || order.status === 'expired') return 'already-cancelled';
  if (order.eventStartsAt.getTime() <= now.getTime()) return 'event-started';
  if (order.status !== 'confirmed' || order.total <= 0) return 'ok';
  const deadline = refundableUntil(order);
  if (!deadline) return 'not-refundable';
  return deadline.getTime() > now.getTime() ? 'ok' : 'refund-deadline-passed';
}

/** The OrderCancelled message announcing a cancellation (notifications emails the buyer). */
export function orderCancelledMessage(
  data: OrderCancelledV1,
  correlationId: string,
): Envelope<OrderCancelledV1> {
  const { type, version } = TicketMessageTypes.OrderCancelled;
  return envelope('tickets', type, version, data, correlationId);
}
