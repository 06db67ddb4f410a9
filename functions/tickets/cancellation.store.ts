// SQL for cancellations (parameterised only): the order is locked, its seats go back to their tiers, its tickets are
// voided, the full price is refunded and OrderCancelled goes to the outbox, all in one transaction.
import type pg from 'pg';
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import { withTransaction } from '../../layers/common/db';
import { enqueue, markProcessed } from '../../layers/common/outbox';
import type { CancelReason } from './model';
import { cancellable, orderCancelledMessage } from './orders';
import { eventSnapshotOf, findOrder, ORDER_SELECT, type OrderRow } from './orders.store';
import type { Order } from './schemas';
import { returnSeats } from './slots';

/** How many times seats are planned back again when other cancellations emptied the chosen slots meanwhile. */
const GIVE_BACK_ROUNDS = 20;
/** Orders of a cancelled event cancelled per transaction. */
export const EVENT_CANCELLATION_BATCH = 200;

export type CancelOutcome =
  | { kind: 'cancelled'; order: Order }
  | { kind: 'not-found' }
  | { kind: 'already-cancelled' }
  | { kind: 'event-started' };

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Cancels one order inside the caller's transaction. The order row must be locked by the caller.
 * The seats go back to the slots that sold the most of each tier (an order does not keep its slots). Only the slots
 * written are locked, so buyers of the other slots are not held up: each round reads without locks, and a slot that
 * another cancellation emptied meanwhile is skipped and its share planned again in the next round.
 */
async function cancelLocked(
  client: pg.PoolClient,
  row: OrderRow,
  reason: CancelReason,
  correlationId: string,
) {
  const owed = new Map<string, number>();
  for (const item of row.items) owed.set(item.tier_id, (owed.get(item.tier_id) ?? 0) + item.quantity);
  for (let round = 0; [...owed.values()].some((quantity) => quantity > 0); round += 1) {
    if (round === GIVE_BACK_ROUNDS) throw new Error(`could not give back the seats of order ${row.id}`);
    const slots = await client.query<{ tier_id: string; slot: number; sold: number }>(
      'SELECT tier_id, slot, sold FROM tier_slots WHERE tier_id = ANY($1::uuid[]) AND sold > 0',
      [[...owed.keys()]],
    );
    const back = [...owed]
      .filter(([, quantity]) => quantity > 0)
      .flatMap(([tierId, quantity]) =>
        returnSeats(
          slots.rows.filter((slot) => slot.tier_id === tierId),
          quantity,
        ).map((take) => ({ tierId, ...take })),
      )
      .sort((a, b) => compare(a.tierId, b.tierId) || a.slot - b.slot);
    const given = await client.query<{ tier_id: string; take: number }>(
      `UPDATE tier_slots s SET sold = s.sold - v.take
       FROM unnest($1::uuid[], $2::smallint[], $3::int[]) AS v(tier_id, slot, take)
       WHERE s.tier_id = v.tier_id AND s.slot = v.slot AND s.sold >= v.take
       RETURNING s.tier_id, v.take`,
      [back.map((take) => take.tierId), back.map((take) => take.slot), back.map((take) => take.take)],
    );
    for (const { tier_id, take } of given.rows) owed.set(tier_id, (owed.get(tier_id) ?? 0) - take);
  }
  await client.query(`UPDATE tickets SET status = 'void' WHERE order_id = $1`, [row.id]);
  await client.query(
    `UPDATE orders SET status = 'cancelled', refund = total, cancel_reason = $2, cancelled_at = now() WHERE id = $1`,
    [row.id, reason],
  );
  const message = orderCancelledMessage(
    {
      orderId: row.id,
      eventId: row.event_id,
      buyer: { userId: row.user_id, email: row.buyer_email, firstName: row.buyer_first_name },
      event: eventSnapshotOf(row),
      refund: Number(row.total),
      currency: row.currency,
      reason,
    },
    correlationId,
  );
  await enqueue(client, { topic: TICKET_EVENTS_TOPIC }, [message]);
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
        const { rows } = await client.query<OrderRow>(
          `${ORDER_SELECT} WHERE o.id = $1 AND o.user_id = $2 FOR UPDATE OF o`,
          [orderId, userId],
        );
        const row = rows[0];
        if (!row) return { kind: 'not-found' };
        const verdict = cancellable({ status: row.status, eventStartsAt: row.event_starts_at }, now);
        if (verdict !== 'ok') return { kind: verdict };
        await cancelLocked(client, row, 'customer', correlationId);
        const cancelled = await findOrder(client, orderId, userId);
        if (!cancelled) throw new Error('order vanished inside its own transaction');
        return { kind: 'cancelled', order: cancelled };
      });
    },

    /** Cancels up to `batch` confirmed orders of a cancelled event; returns how many. Call until it returns 0. */
    async cancelOrdersOfEvent(eventId: string, correlationId: string, batch = EVENT_CANCELLATION_BATCH) {
      return withTransaction(await pool(), async (client) => {
        const { rows } = await client.query<OrderRow>(
          `${ORDER_SELECT} WHERE o.event_id = $1 AND o.status <> 'cancelled' ORDER BY o.created_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED`,
          [eventId, batch],
        );
        for (const row of rows) await cancelLocked(client, row, 'event-cancelled', correlationId);
        return rows.length;
      });
    },

    /** Records a message as handled by `consumer`; false when it was handled before. */
    async markProcessed(consumer: string, messageId: string): Promise<boolean> {
      return withTransaction(await pool(), (client) => markProcessed(client, consumer, messageId));
    },
  };
}

export type CancellationStore = ReturnType<typeof pgCancellationStore>;
