// SQL for inventory: syncing an event's tiers from the catalogue, and reading availability.
import type pg from 'pg';
import type {
  AvailabilityAndLapses,
  EventAvailability,
  InventorySyncRequest,
} from '../../events/contracts/catalogue';
import { withTransaction } from '../../layers/common/db';
import { expiredHoldSeats } from './holds.store';
import type { SyncOutcome } from './model';
import { spreadSeats } from './slots';

interface TierRow {
  tier_id: string;
  event_id: string;
  name: string;
  price: string;
  currency: string;
  quantity: number;
  sold: number;
}

/** A tier's row of tier_stock as the service shows it. */
export const tierStockOf = (tier: Omit<TierRow, 'event_id' | 'price'> & { price: string | number }) => ({
  tierId: tier.tier_id,
  name: tier.name,
  price: Number(tier.price),
  currency: tier.currency,
  quantity: tier.quantity,
  sold: tier.sold,
});

/**
 * Sets up or changes an event's inventory in one transaction; a refused change writes nothing (the transaction rolls
 * back) and says why.
 */
export async function syncInventory(pool: pg.Pool, request: InventorySyncRequest): Promise<SyncOutcome> {
  const total = request.tiers.reduce((sum, tier) => sum + tier.quantity, 0);
  if (total > request.capacity) return { kind: 'tiers-over-capacity', total, capacity: request.capacity };
  return withTransaction<SyncOutcome>(
    pool,
    async (client) => {
      const existing = await client.query<{ status: string }>(
        'SELECT status FROM inventories WHERE event_id = $1 FOR UPDATE',
        [request.eventId],
      );
      if (existing.rows[0]?.status === 'cancelled' && request.status === 'on_sale')
        return { kind: 'event-cancelled' };
      const { event, checkout } = request;
      await client.query(
        `INSERT INTO inventories (event_id, organizer_id, status, capacity, name, starts_at, ends_at, timezone, place,
                                 hold_seconds, refund_until_hours_before)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, 900), CASE WHEN $11 THEN $12 ELSE 0 END)
       ON CONFLICT (event_id) DO UPDATE SET status = $3, capacity = $4, name = $5, starts_at = $6, ends_at = $7,
         timezone = $8, place = $9, hold_seconds = coalesce($10, inventories.hold_seconds),
         refund_until_hours_before = CASE WHEN $11 THEN $12 ELSE inventories.refund_until_hours_before END,
         updated_at = now()`,
        [
          request.eventId,
          request.organizerId,
          request.status,
          request.capacity,
          event.name,
          event.startsAt,
          event.endsAt,
          event.timezone,
          event.place,
          // Absent settings leave what tickets has (the defaults for a new event).
          checkout ? checkout.holdMinutes * 60 : null,
          checkout !== undefined,
          checkout?.refundUntilHoursBefore ?? null,
        ],
      );

      // Orders keep a copy of their event for history, emails and the cancellation deadline: keep it current.
      await client.query(
        `UPDATE orders SET event_name = $2, event_starts_at = $3, event_ends_at = $4, event_timezone = $5, event_place = $6
       WHERE event_id = $1
         AND (event_name, event_starts_at, event_ends_at, event_timezone, event_place) IS DISTINCT FROM ($2, $3, $4, $5, $6)`,
        [request.eventId, event.name, event.startsAt, event.endsAt, event.timezone, event.place],
      );
      const current = await client.query<Omit<TierRow, 'sold'>>(
        'SELECT * FROM tiers WHERE event_id = $1 ORDER BY position FOR UPDATE',
        [request.eventId],
      );
      // The slots too: purchases lock only their slot, so this waits for those in flight and holds off the next.
      const slots = await client.query<{ tier_id: string; slot: number; sold: number }>(
        'SELECT tier_id, slot, sold FROM tier_slots WHERE tier_id = ANY($1::uuid[]) ORDER BY tier_id, slot FOR UPDATE',
        [current.rows.map((row) => row.tier_id)],
      );
      const slotsOf = (tierId: string) => slots.rows.filter((slot) => slot.tier_id === tierId);
      const soldOf = (tierId: string) => slotsOf(tierId).reduce((sum, slot) => sum + slot.sold, 0);
      const wanted = new Set(request.tiers.map((tier) => tier.tierId));
      // A tier with orders, even only cancelled ones, stays: its orders and tickets refer to it.
      const withOrders = new Set(
        (
          await client.query<{ tier_id: string }>(
            'SELECT DISTINCT tier_id FROM order_items WHERE tier_id = ANY($1::uuid[])',
            [current.rows.map((row) => row.tier_id)],
          )
        ).rows.map((row) => row.tier_id),
      );
      const removedWithSales = current.rows.filter(
        (row) => !wanted.has(row.tier_id) && (soldOf(row.tier_id) > 0 || withOrders.has(row.tier_id)),
      );
      if (removedWithSales.length > 0) {
        return {
          kind: 'tier-has-sales',
          tiers: removedWithSales.map((row) => ({ tierId: row.tier_id, sold: soldOf(row.tier_id) })),
        };
      }
      const belowSold = request.tiers
        .filter((tier) => soldOf(tier.tierId) > tier.quantity)
        .map((tier) => ({ tierId: tier.tierId, quantity: tier.quantity, sold: soldOf(tier.tierId) }));
      if (belowSold.length > 0) return { kind: 'below-sold', tiers: belowSold };
      await client.query('DELETE FROM tiers WHERE event_id = $1 AND NOT (tier_id = ANY($2::uuid[]))', [
        request.eventId,
        [...wanted],
      ]);
      for (const [position, tier] of request.tiers.entries()) {
        const upserted = await client.query(
          `INSERT INTO tiers (tier_id, event_id, name, price, currency, quantity, open, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tier_id) DO UPDATE SET name = $3, price = $4, currency = $5, quantity = $6, open = $7, position = $8
         WHERE tiers.event_id = $2`,
          [
            tier.tierId,
            request.eventId,
            tier.name,
            tier.price,
            tier.currency,
            tier.quantity,
            request.status === 'on_sale',
            position,
          ],
        );
        if (upserted.rowCount === 0) return { kind: 'tier-conflict', tierId: tier.tierId };
      }
      // Each tier's seats over its slots: what a slot sold stays in it, the seats left are spread again.
      const spread = request.tiers.flatMap((tier) =>
        spreadSeats(tier.quantity, slotsOf(tier.tierId)).map((slot) => ({ tierId: tier.tierId, ...slot })),
      );
      await client.query(
        `INSERT INTO tier_slots (tier_id, slot, quantity, open)
       SELECT v.tier_id, v.slot, v.quantity, $4 FROM unnest($1::uuid[], $2::smallint[], $3::int[]) AS v(tier_id, slot, quantity)
       ON CONFLICT (tier_id, slot) DO UPDATE SET quantity = EXCLUDED.quantity, open = EXCLUDED.open`,
        [
          spread.map((slot) => slot.tierId),
          spread.map((slot) => slot.slot),
          spread.map((slot) => slot.quantity),
          request.status === 'on_sale',
        ],
      );
      const [availability] = await readAvailability(client, [request.eventId]);
      if (!availability) throw new Error('inventory vanished inside its own transaction');
      return { kind: 'synced', availability };
    },
    { commitWhen: (outcome) => outcome.kind === 'synced' },
  );
}

export async function readAvailability(
  db: pg.Pool | pg.PoolClient,
  eventIds: string[],
): Promise<EventAvailability[]> {
  return (await readAvailabilityAndLapses(db, eventIds)).events;
}

/**
 * The events' availability, and when it next changes without a write: the epoch ms at which the first of an event's
 * holds for payment lapses (its seats then count as free), for the events that have such holds.
 */
export async function readAvailabilityAndLapses(
  db: pg.Pool | pg.PoolClient,
  eventIds: string[],
): Promise<AvailabilityAndLapses> {
  const { rows } = await db.query<{
    event_id: string;
    status: 'on_sale' | 'cancelled';
    capacity: number;
    lapses_at: string | null;
    tiers: (Omit<TierRow, 'event_id' | 'price'> & { price: number })[] | null;
  }>(
    `SELECT i.event_id, i.status, i.capacity,
            (SELECT floor(extract(epoch FROM min(o.expires_at)) * 1000)::bigint FROM orders o
             WHERE o.event_id = i.event_id AND o.status = 'awaiting_payment' AND o.expires_at > now()) AS lapses_at,
            json_agg(json_build_object('tier_id', t.tier_id, 'name', t.name, 'price', t.price, 'currency', t.currency,
                                       'quantity', t.quantity, 'sold', t.sold) ORDER BY t.position) AS tiers
     FROM inventories i
     LEFT JOIN (SELECT t.tier_id, t.event_id, t.name, t.price, t.currency, t.quantity, t.position,
                       t.sold - coalesce(h.seats, 0) AS sold
                FROM tier_stock t LEFT JOIN (${expiredHoldSeats('o.event_id = ANY($1::uuid[])')}) h USING (tier_id)) t
       ON t.event_id = i.event_id
     WHERE i.event_id = ANY($1::uuid[])
     GROUP BY i.event_id`,
    [eventIds],
  );
  const lapsesAt: Record<string, number> = {};
  for (const row of rows) if (row.lapses_at !== null) lapsesAt[row.event_id] = Number(row.lapses_at);
  const events = rows.map((row): EventAvailability => {
    const tiers = (row.tiers ?? []).filter((tier) => tier.tier_id !== null);
    const sold = tiers.reduce((sum, tier) => sum + tier.sold, 0);
    const quantity = tiers.reduce((sum, tier) => sum + tier.quantity, 0);
    return {
      eventId: row.event_id,
      status: row.status,
      capacity: row.capacity,
      sold,
      // What can still be bought: the tiers' unsold tickets (capacity beyond the tiers is not for sale).
      remaining: row.status === 'on_sale' ? quantity - sold : 0,
      tiers: tiers.map((tier) => ({
        ...tierStockOf(tier),
        remaining: row.status === 'on_sale' ? tier.quantity - tier.sold : 0,
      })),
    };
  });
  return { events, lapsesAt };
}
