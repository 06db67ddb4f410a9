// SQL for cancellations (parameterised only): the order is locked, its seats go back to their tiers, its tickets are
// voided, the full price is refunded and OrderCancelled goes to the outbox, all in one transaction.
import type pg from 'pg';
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import { withTransaction } from '../../layers/common/db';
import { enqueue, markProcessed } from '../../layers/common/outbox';
import { giveBackSeats } from './holds.store';
import type { CancelReason } from './model';
import { type CancelVerdict, cancellable, orderCancelledMessage } from './orders';
import { eventSnapshotOf, findOrder, ORDER_SELECT, type OrderRow, toOrder } from './orders.store';
import { refundKey } from './payments';
import type { Order } from './schemas';

/** Orders of a cancelled event cancelled per transaction. */
export const EVENT_CANCELLATION_BATCH = 200;

/** A refund the provider is asked for once the cancellation committed. */
export interface OwedRefund {
  orderId: string;
  paymentId: string;
  amount: number;
  key: string;
}

export type CancelOutcome =
  | { kind: 'cancelled'; order: Order; refund?: OwedRefund }
  | { kind: 'not-found' }
  | { kind: Exclude<CancelVerdict, 'ok'>; order?: Order };

/**
 * Cancels one order inside the caller's transaction (the order row locked by the caller). What was paid is refunded
 * in full: recorded here as pending, asked of the provider by the caller once this commits (an order awaiting payment
 * or a free one has nothing to refund).
 */
async function cancelLocked(
  client: pg.PoolClient,
  row: OrderRow & { paid_at: Date | null; paid_amount: string | null },
  reason: CancelReason,
  correlationId: string,
): Promise<OwedRefund | undefined> {
  await giveBackSeats(client, row);
  await client.query(`UPDATE tickets SET status = 'void' WHERE order_id = $1`, [row.id]);
  const paid = row.status === 'confirmed' && row.paid_at !== null && row.payment_id !== null;
  const refund = paid ? Number(row.paid_amount ?? row.total) : 0;
  await client.query(
    `UPDATE orders SET status = 'cancelled', refund = $3::bigint, refund_status = CASE WHEN $3::bigint > 0 THEN 'pending' END,
       expires_at = NULL, cancel_reason = $2, cancelled_at = now()
     WHERE id = $1`,
    [row.id, reason, refund],
  );
  const message = orderCancelledMessage(
    {
      orderId: row.id,
      eventId: row.event_id,
      buyer: { userId: row.user_id, email: row.buyer_email, firstName: row.buyer_first_name },
      event: eventSnapshotOf(row),
      refund,
      currency: row.currency,
      reason,
      ...(refund > 0 ? { refundStatus: 'pending' as const } : {}),
    },
    correlationId,
  );
  await enqueue(client, { topic: TICKET_EVENTS_TOPIC }, [message]);
  return paid && row.payment_id && refund > 0
    ? { orderId: row.id, paymentId: row.payment_id, amount: refund, key: refundKey(row.id) }
    : undefined;
}

export function pgCancellationStore(pool: () => Promise<pg.Pool>) {
  return {
    /** The buyer cancels one of their orders; what the rules refuse changes nothing. */
    async cancelOrder(
      orderId: string,
      userId: string,
      correlationId: string,
      now: Date,
    ): Promise<CancelOutcome> {
      return withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<OrderRow & { paid_at: Date | null; paid_amount: string | null }>(
          `${ORDER_SELECT} WHERE o.id = $1 AND o.user_id = $2 FOR UPDATE OF o`,
          [orderId, userId],
        );
        const row = rows[0];
        if (!row) return { kind: 'not-found' };
        const verdict = cancellable(
          {
            status: row.status,
            total: Number(row.total),
            eventStartsAt: row.event_starts_at,
            refundHoursBefore: row.refund_hours_before,
          },
          now,
        );
        if (verdict !== 'ok') return { kind: verdict, order: toOrder(row) };
        const refund = await cancelLocked(client, row, 'customer', correlationId);
        const cancelled = await findOrder(client, orderId, userId);
        if (!cancelled) throw new Error('order vanished inside its own transaction');
        return { kind: 'cancelled', order: cancelled, refund };
      });
    },

    /**
     * The organizer (the event's owner or one of its managers) cancels one order of their event, at any time; what
     * was paid is refunded. Someone else's order is not found.
     */
    async cancelOrderAsOrganizer(
      orderId: string,
      userId: string,
      correlationId: string,
    ): Promise<CancelOutcome> {
      return withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<OrderRow & { paid_at: Date | null; paid_amount: string | null }>(
          `${ORDER_SELECT} JOIN inventories i ON i.event_id = o.event_id
           WHERE o.id = $1 AND (i.organizer_id = $2 OR EXISTS (
             SELECT 1 FROM event_staff s WHERE s.user_id = $2 AND s.role = 'manager' AND s.organizer_id = i.organizer_id
               AND (s.event_id = i.event_id OR s.event_id IS NULL)))
           FOR UPDATE OF o`,
          [orderId, userId],
        );
        const row = rows[0];
        if (!row) return { kind: 'not-found' };
        if (row.status !== 'confirmed' && row.status !== 'awaiting_payment')
          return { kind: 'already-cancelled' };
        const refund = await cancelLocked(client, row, 'organizer', correlationId);
        const cancelled = await findOrder(client, orderId, row.user_id);
        if (!cancelled) throw new Error('order vanished inside its own transaction');
        return { kind: 'cancelled', order: cancelled, refund };
      });
    },

    /**
     * Cancels up to `batch` orders of a cancelled event (confirmed ones and holds); returns how many, and the refunds
     * to ask the provider for. Call until it cancels none.
     */
    async cancelOrdersOfEvent(
      eventId: string,
      correlationId: string,
      batch = EVENT_CANCELLATION_BATCH,
    ): Promise<{ cancelled: number; refunds: OwedRefund[] }> {
      return withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<OrderRow & { paid_at: Date | null; paid_amount: string | null }>(
          `${ORDER_SELECT} WHERE o.event_id = $1 AND o.status IN ('confirmed', 'awaiting_payment') ORDER BY o.created_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED`,
          [eventId, batch],
        );
        const refunds: OwedRefund[] = [];
        for (const row of rows) {
          const refund = await cancelLocked(client, row, 'event-cancelled', correlationId);
          if (refund) refunds.push(refund);
        }
        return { cancelled: rows.length, refunds };
      });
    },

    /** Records a message as handled by `consumer`; false when it was handled before. */
    async markProcessed(consumer: string, messageId: string): Promise<boolean> {
      return withTransaction(await pool(), (client) => markProcessed(client, consumer, messageId));
    },
  };
}

export type CancellationStore = ReturnType<typeof pgCancellationStore>;
