// The paying side of a purchase: an order awaiting payment gets its provider payment (one per order, whatever the
// retries) and is answered as it now stands, so a client that retries a purchase sees the order it is paying.
import { ConfigError } from '../../layers/common/config';
import { ServiceUnavailableError } from '../../layers/common/errors';
import { timed } from '../../layers/common/timings';
import type { Buyer, TicketsDeps } from './model';
import { paymentKey } from './payments';
import type { Order } from './schemas';

/**
 * The order with what the buyer needs to pay it; a free or settled order as it is. `created`: this very request stored
 * the order a moment ago. Only a retry under its Idempotency-Key can have seen it since, and that retry attaches the
 * same provider payment (the provider's idempotency key is the order's); paying or cancelling takes the buyer longer
 * than this request. So the order is answered as stored, with its payment, without reading it twice more: two reads
 * fewer for each hold of a flash sale. A replayed order is read, since it may have been paid, expired or cancelled.
 */
export async function withPayment(
  deps: TicketsDeps,
  order: Order,
  buyer: Buyer,
  { created }: { created: boolean },
): Promise<Order> {
  const current =
    order.total > 0 && !created ? ((await deps.orders.findOrder(order.id, buyer.userId)) ?? order) : order;
  if (current.status !== 'awaiting_payment' || current.payment) return current;
  let handle: NonNullable<Order['payment']>;
  try {
    const provider = await deps.payments.provider();
    // Its own Server-Timing stage (`payment`): the provider's round trip (Stripe's Checkout Session create).
    handle = await timed('payment', () =>
      provider.createPayment(
        {
          id: current.id,
          total: current.total,
          currency: current.currency,
          buyerEmail: buyer.email,
          eventName: current.event.name,
          expiresAt: current.expiresAt ? new Date(current.expiresAt) : null,
        },
        paymentKey(current.id),
      ),
    );
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // The seats stay held: a retry with the same Idempotency-Key asks the provider again, for the same payment.
    deps.warn('payment provider unavailable', { order_id: current.id, reason: (error as Error).message });
    throw new ServiceUnavailableError(
      'The payment provider is unavailable; your seats are held: retry with the same Idempotency-Key.',
    );
  }
  await deps.payments.store.attachPayment(current.id, handle);
  if (created) return { ...current, payment: handle };
  return (await deps.orders.findOrder(current.id, buyer.userId)) ?? { ...current, payment: handle };
}
