// SQL for seats held by orders awaiting payment (parameterised only): giving an order's seats back to its tiers'
// slots, taking them again for a payment that came after its hold was released, and releasing expired holds.
// Locks are always taken orders first, then slots, as purchases (slots only) and cancellations do.
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';
import { ORDER_SELECT, type OrderRow } from './orders.store';
import { planSlots, returnSeats } from './slots';

/** How many times seats are planned back again when other cancellations emptied the chosen slots meanwhile. */
const GIVE_BACK_ROUNDS = 20;
/** Holds released per transaction by the sweep. */
export const RELEASE_BATCH = 200;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Seats per tier held by expired holds not yet released, for the orders matching `condition` (SQL on `o`): every
 * read of availability counts them as free.
 */
export const expiredHoldSeats = (condition: string) =>
  `SELECT i.tier_id, sum(i.quantity)::int AS seats FROM orders o JOIN order_items i ON i.order_id = o.id
   WHERE ${condition} AND o.status = 'awaiting_payment' AND o.expires_at <= now() GROUP BY i.tier_id`;

const seatsPerTier = (row: Pick<OrderRow, 'items'>) => {
  const seats = new Map<string, number>();
  for (const item of row.items) seats.set(item.tier_id, (seats.get(item.tier_id) ?? 0) + item.quantity);
  return seats;
};

/**
 * Gives an order's seats back inside the caller's transaction (the order row locked by the caller), to the slots
 * that sold the most of each tier (an order does not keep its slots). Only the slots written are locked, so buyers
 * of the other slots are not held up: each round reads without locks, and a slot that another cancellation emptied
 * meanwhile is skipped and its share planned again in the next round.
 */
export async function giveBackSeats(client: pg.PoolClient, row: Pick<OrderRow, 'id' | 'items'>) {
  const owed = seatsPerTier(row);
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
}

/**
 * Takes an order's seats again inside the caller's transaction (a payment that arrived after its hold was
 * released): all of them or none. False when the open slots no longer hold enough; the caller then rolls back.
 */
export async function takeSeatsAgain(client: pg.PoolClient, row: Pick<OrderRow, 'id' | 'items'>) {
  const wanted = seatsPerTier(row);
  const { rows } = await client.query<{ tier_id: string; slot: number; remaining: number }>(
    `SELECT tier_id, slot, quantity - sold AS remaining FROM tier_slots
     WHERE tier_id = ANY($1::uuid[]) AND open AND sold < quantity ORDER BY tier_id, slot FOR UPDATE`,
    [[...wanted.keys()]],
  );
  const takes = [...wanted].flatMap(([tierId, quantity]) =>
    (
      planSlots(
        rows.filter((slot) => slot.tier_id === tierId),
        quantity,
      ) ?? [{ slot: -1, take: quantity }]
    ).map((take) => ({ tierId, ...take })),
  );
  if (takes.some((take) => take.slot < 0)) return false;
  const taken = await client.query(
    `UPDATE tier_slots s SET sold = s.sold + v.take
     FROM unnest($1::uuid[], $2::smallint[], $3::int[]) AS v(tier_id, slot, take)
     WHERE s.tier_id = v.tier_id AND s.slot = v.slot AND s.sold + v.take <= s.quantity`,
    [takes.map((take) => take.tierId), takes.map((take) => take.slot), takes.map((take) => take.take)],
  );
  return taken.rowCount === takes.length;
}

/**
 * Releases one hold inside the caller's transaction (order row locked, status awaiting_payment). Its payment, if one
 * was made ready, is to be cancelled at the provider (the sweep does it), so the buyer cannot pay for seats that went
 * back on sale.
 */
export async function releaseLocked(client: pg.PoolClient, row: OrderRow) {
  await giveBackSeats(client, row);
  await client.query(
    `UPDATE orders SET status = 'expired', expires_at = least(expires_at, now()),
       payment_cancel = CASE WHEN payment_id IS NOT NULL THEN 'pending' END
     WHERE id = $1`,
    [row.id],
  );
}

/**
 * Releases expired holds, oldest first: of one event (a purchase that found seats short, waiting for anyone releasing
 * the same holds) or of every event (the sweep, skipping holds another transaction has locked). Returns the event of
 * each hold released (once committed).
 */
export async function releaseExpiredHolds(
  pool: pg.Pool,
  scope: { eventId?: string; limit?: number } = {},
): Promise<string[]> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<OrderRow>(
      `${ORDER_SELECT} WHERE o.status = 'awaiting_payment' AND o.expires_at <= now()
         AND ($1::uuid IS NULL OR o.event_id = $1)
       ORDER BY o.expires_at, o.id LIMIT $2 FOR UPDATE OF o ${scope.eventId ? '' : 'SKIP LOCKED'}`,
      [scope.eventId ?? null, scope.limit ?? RELEASE_BATCH],
    );
    for (const row of rows) await releaseLocked(client, row);
    return rows.map((row) => row.event_id);
  });
}
