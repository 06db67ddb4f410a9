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

/** Buyers may cancel until the event starts. */
export function cancellable(
  order: { status: string; eventStartsAt: Date },
  now: Date,
): 'ok' | 'already-cancelled' | 'event-started' {
  // An expired order has already given its seats back: there is nothing left to cancel.
  if (order.status === 'cancelled' || order.status === 'expired') return 'already-cancelled';
  if (order.eventStartsAt.getTime() <= now.getTime()) return 'event-started';
  return 'ok';
}

/** The OrderCancelled message announcing a cancellation (notifications emails the buyer). */
export function orderCancelledMessage(
  data: OrderCancelledV1,
  correlationId: string,
): Envelope<OrderCancelledV1> {
  const { type, version } = TicketMessageTypes.OrderCancelled;
  return envelope('tickets', type, version, data, correlationId);
}
