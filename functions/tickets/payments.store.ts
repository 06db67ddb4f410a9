// SQL of payments (parameterised only): the payment attached to an order, the webhook's inbox (each provider event
// handled once, by its id, in the same transaction as what it changes) and refunds as the provider reports them.
import type pg from 'pg';
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import { withTransaction } from '../../layers/common/db';
import { enqueue } from '../../layers/common/outbox';
import { giveBackSeats, releaseExpiredHolds, releaseLocked, takeSeatsAgain } from './holds.store';
import { orderCancelledMessage } from './orders';
import { eventSnapshotOf, ORDER_SELECT, type OrderRow, toOrder } from './orders.store';
import type { PaymentEvent, PaymentHandle, RefundResult } from './payments';
import { paymentAction, refundKey } from './payments';
import { confirmOrder, type PurchaseEnv } from './purchasing';
import type { ReconciledOrder } from './reconciliation';

/** What handling a provider event came to. `refund` is money to give back once the transaction committed. */
export interface HandledPayment {
  outcome:
    | 'duplicate'
    | 'ignored'
    | 'unknown-order'
    | 'confirmed'
    | 'confirmed-late'
    | 'refunded'
    | 'released'
    | 'unchanged';
  orderId?: string;
  seats?: number;
  /** The event whose seats this changed (taken again, or given back), once committed. */
  seatsChanged?: string;
  refund?: { orderId: string; paymentId: string; amount: number; key: string };
}

interface PaidRow extends OrderRow {
  paid_at: Date | null;
}

const buyerOf = (row: OrderRow) => ({
  userId: row.user_id,
  email: row.buyer_email,
  firstName: row.buyer_first_name,
});

async function confirmLocked(
  client: pg.PoolClient,
  row: OrderRow,
  event: Extract<PaymentEvent, { kind: 'succeeded' }>,
  env: Pick<PurchaseEnv, 'newId' | 'ticketCode' | 'signTickets'>,
  correlationId: string,
) {
  const { order, message } = confirmOrder(toOrder(row), { buyer: buyerOf(row), correlationId }, env);
  await client.query(
    `INSERT INTO tickets (id, order_id, tier_id, code, status, created_at)
     SELECT x.id, $1, x.tier_id, x.code, 'valid', now() FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS x(id, tier_id, code)`,
    [
      row.id,
      order.tickets.map((ticket) => ticket.id),
      order.tickets.map((ticket) => ticket.tierId),
      order.tickets.map((ticket) => ticket.code),
    ],
  );
  await client.query(
    `UPDATE orders SET status = 'confirmed', expires_at = NULL, placed_at = now(), paid_at = now(), paid_amount = $2,
       payment_id = coalesce(payment_id, $3)
     WHERE id = $1`,
    [row.id, event.payment.amount, event.payment.paymentId],
  );
  const signed = env.signTickets ? { ...message, data: await env.signTickets(message.data) } : message;
  await enqueue(client, { topic: TICKET_EVENTS_TOPIC }, [signed]);
  return order.tickets.length;
}

/**
 * Money that came for an order that will not use it: the order (if it still held seats, they go back) is cancelled
 * with the refund pending, and the buyer is told why. The provider is asked once the transaction committed.
 */
async function refundLocked(
  client: pg.PoolClient,
  row: PaidRow,
  event: Extract<PaymentEvent, { kind: 'succeeded' }>,
  correlationId: string,
): Promise<HandledPayment> {
  const { paymentId, amount } = event.payment;
  const onOrder = row.status !== 'confirmed' && row.paid_at === null;
  if (!onOrder) {
    // A second payment of a paid (or a free) order: refunded, the order stays as it is.
    return {
      outcome: 'refunded',
      orderId: row.id,
      refund: { orderId: row.id, paymentId, amount, key: `refund-${paymentId}` },
    };
  }
  const heldSeats = row.status === 'awaiting_payment';
  if (heldSeats) await giveBackSeats(client, row);
  await client.query(
    `UPDATE orders SET status = 'cancelled', cancel_reason = coalesce(cancel_reason, 'payment-late'),
       cancelled_at = coalesce(cancelled_at, now()), expires_at = NULL, paid_at = now(), paid_amount = $2,
       payment_id = coalesce(payment_id, $3), refund = $2, refund_status = 'pending'
     WHERE id = $1`,
    [row.id, amount, paymentId],
  );
  if (row.status !== 'cancelled') {
    const message = orderCancelledMessage(
      {
        orderId: row.id,
        eventId: row.event_id,
        buyer: buyerOf(row),
        event: eventSnapshotOf(row),
        refund: amount,
        currency: row.currency,
        reason: 'payment-late',
      },
      correlationId,
    );
    await enqueue(client, { topic: TICKET_EVENTS_TOPIC }, [message]);
  }
  return {
    outcome: 'refunded',
    orderId: row.id,
    refund: { orderId: row.id, paymentId, amount, key: refundKey(row.id) },
    ...(heldSeats ? { seatsChanged: row.event_id } : {}),
  };
}

export function pgPaymentStore(pool: () => Promise<pg.Pool>) {
  return {
    /** Records the provider's payment on an order that has none yet; the order as it now is. */
    async attachPayment(orderId: string, handle: PaymentHandle): Promise<void> {
      await (await pool()).query(
        `UPDATE orders SET payment_provider = $2, payment_id = $3, payment_client_secret = $4, payment_checkout_url = $5
         WHERE id = $1 AND payment_id IS NULL`,
        [orderId, handle.provider, handle.paymentId, handle.clientSecret, handle.checkoutUrl],
      );
    },

    /** The buyer's order by id, whoever's it is not being a question here (the caller checked). */
    async orderForPayment(orderId: string) {
      const { rows } = await (await pool()).query<OrderRow>(`${ORDER_SELECT} WHERE o.id = $1`, [orderId]);
      return rows[0];
    },

    /**
     * Handles one verified provider event, once: the inbox row and every change it makes commit together, so a
     * redelivery (or a copy racing this one) finds the row and changes nothing.
     */
    async handleEvent(
      event: PaymentEvent,
      env: Pick<PurchaseEnv, 'newId' | 'ticketCode' | 'signTickets'>,
      correlationId: string,
    ): Promise<HandledPayment> {
      return withTransaction(await pool(), async (client) => {
        const orderId = event.kind === 'ignored' ? undefined : event.payment.orderId;
        const inbox = await client.query(
          `INSERT INTO payment_events (event_id, type, order_id, outcome) VALUES ($1, $2, $3, 'received')
           ON CONFLICT (event_id) DO NOTHING`,
          [event.eventId, event.type, orderId && /^[0-9a-f-]{36}$/i.test(orderId) ? orderId : null],
        );
        if (inbox.rowCount === 0) return { outcome: 'duplicate' };
        const handled = await act(client, event, env, correlationId);
        await client.query('UPDATE payment_events SET outcome = $2 WHERE event_id = $1', [
          event.eventId,
          handled.outcome,
        ]);
        return handled;
      });
    },

    /** Releases a batch of expired holds of any event (the sweep); returns the event of each hold released. */
    async releaseExpiredHolds(): Promise<string[]> {
      return releaseExpiredHolds(await pool());
    },

    /** Released holds whose payment is still to be cancelled at the provider, oldest first. */
    async paymentsToCancel(limit = 100): Promise<{ orderId: string; paymentId: string }[]> {
      const { rows } = await (await pool()).query<{ id: string; payment_id: string }>(
        `SELECT id, payment_id FROM orders WHERE payment_cancel = 'pending' ORDER BY expires_at LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({ orderId: row.id, paymentId: row.payment_id }));
    },

    async recordPaymentCancelled(orderId: string): Promise<void> {
      await (await pool()).query(
        `UPDATE orders SET payment_cancel = 'done' WHERE id = $1 AND payment_cancel = 'pending'`,
        [orderId],
      );
    },

    async recordRefund(orderId: string, result: RefundResult): Promise<void> {
      await (await pool()).query(
        `UPDATE orders SET refund_status = $2, refund_id = $3 WHERE id = $1 AND refund_status = 'pending'`,
        [orderId, result.status, result.refundId],
      );
    },

    /** The orders the provider's payments name (reconciliation): which payment each took, if any. */
    async ordersForReconciliation(orderIds: string[]): Promise<ReconciledOrder[]> {
      const { rows } = await (await pool()).query<{ id: string; payment_id: string | null; paid: boolean }>(
        'SELECT id, payment_id, paid_at IS NOT NULL AS paid FROM orders WHERE id = ANY($1::uuid[])',
        [orderIds],
      );
      return rows.map((row) => ({ id: row.id, paymentId: row.payment_id, paid: row.paid }));
    },

    /**
     * Confirmed orders created since `since` and paid through `provider` whose payment is none of `succeeded`
     * (reconciliation flags them). Reads every order of the window: there is no index on created_at alone.
     */
    async confirmedWithoutPayment(provider: string, since: Date, succeeded: string[], limit = 100) {
      const { rows } = await (await pool()).query<{ id: string; payment_id: string }>(
        `SELECT id, payment_id FROM orders
         WHERE status = 'confirmed' AND paid_at IS NOT NULL AND payment_provider = $1 AND created_at >= $2
           AND payment_id IS NOT NULL AND NOT (payment_id = ANY($3::text[]))
         ORDER BY created_at LIMIT $4`,
        [provider, since, succeeded, limit],
      );
      return rows.map((row) => ({ orderId: row.id, paymentId: row.payment_id }));
    },

    /** Refunds the provider has not confirmed yet, older than a minute (the request that asked may still run). */
    async pendingRefunds(limit = 50) {
      const { rows } = await (await pool()).query<{ id: string; payment_id: string; refund: string }>(
        `SELECT id, payment_id, refund FROM orders
         WHERE refund_status = 'pending' AND payment_id IS NOT NULL AND cancelled_at < now() - interval '1 minute'
         ORDER BY cancelled_at LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({ orderId: row.id, paymentId: row.payment_id, amount: Number(row.refund) }));
    },
  };
}

async function act(
  client: pg.PoolClient,
  event: PaymentEvent,
  env: Pick<PurchaseEnv, 'newId' | 'ticketCode' | 'signTickets'>,
  correlationId: string,
): Promise<HandledPayment> {
  if (event.kind === 'ignored') return { outcome: 'ignored' };
  const orderId = event.payment.orderId;
  if (!orderId || !/^[0-9a-f-]{36}$/i.test(orderId)) return { outcome: 'unknown-order' };
  const { rows } = await client.query<PaidRow>(`${ORDER_SELECT} WHERE o.id = $1 FOR UPDATE OF o`, [orderId]);
  const row = rows[0];
  if (!row) return { outcome: 'unknown-order' };
  const action = paymentAction(
    {
      status: row.status,
      total: Number(row.total),
      currency: row.currency,
      paymentId: row.payment_id,
      paid: row.paid_at !== null,
    },
    event,
  );
  switch (action) {
    case 'none':
      return { outcome: 'unchanged', orderId };
    case 'release':
      await releaseLocked(client, row);
      return { outcome: 'released', orderId, seatsChanged: row.event_id };
    case 'confirm':
      if (event.kind !== 'succeeded') return { outcome: 'unchanged', orderId };
      return {
        outcome: 'confirmed',
        orderId,
        seats: await confirmLocked(client, row, event, env, correlationId),
        // A hold that lapsed but was not swept yet counted as free seats for every reader since its lapse; confirming
        // it takes them back. (A hold still running changes nothing readers see; one INCR per paid order is cheap.)
        seatsChanged: row.event_id,
      };
    case 'retake':
      if (event.kind !== 'succeeded') return { outcome: 'unchanged', orderId };
      await client.query('SAVEPOINT retake');
      if (await takeSeatsAgain(client, row)) {
        const seats = await confirmLocked(client, row, event, env, correlationId);
        return { outcome: 'confirmed-late', orderId, seats, seatsChanged: row.event_id };
      }
      await client.query('ROLLBACK TO SAVEPOINT retake');
      return refundLocked(client, row, event, correlationId);
    case 'refund':
      if (event.kind !== 'succeeded') return { outcome: 'unchanged', orderId };
      return refundLocked(client, row, event, correlationId);
  }
}

export type PaymentStore = ReturnType<typeof pgPaymentStore>;
