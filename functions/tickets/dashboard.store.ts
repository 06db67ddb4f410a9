// SQL for the organizer dashboard (parameterised only): the organizer's own events, sales figures per currency, sales
// over time in the event's time zone, and attendees. dashboard.shape.ts turns the figures into the responses. Sales over time read a rollup (sales_slots: per event, 15-minute
// slot and currency) for everything older than the event's seal, and the orders table for the few minutes after it,
// so a metrics read costs the buckets it shows, not the orders sold. The rollup is sealed here, by the metrics read.
import type pg from 'pg';
import * as z from 'zod';
import { withTransaction } from '../../layers/common/db';
import { cursorInstant, decodeCursor, encodeCursor, type Page, toPage } from '../../layers/common/pagination';
import { type AttendeeRecord, type MetricsWindow, stepOf, withOffset } from './dashboard';
import type { DashboardFigures, MetricsFigures, SalesFigures } from './dashboard.shape';
import { tierStockOf } from './inventory.store';

const SLOT = `interval '15 minutes'`;
const slotOf = (column: string) => `date_bin(${SLOT}, ${column}, timestamptz 'epoch')`;
/**
 * How far slots may be sealed: a purchase or cancellation commits within seconds of the time it records (its Lambda
 * times out after 10 s), so nothing can still appear before this instant.
 */
const SEAL_TARGET = slotOf(`now() - interval '5 minutes'`);
/**
 * Orders that count as sales: placed (free ones at once, paid ones when their payment confirmed them), whether
 * cancelled later or not. Holds, expired holds and payments refunded without a sale are not sales. A sale counts at
 * placed_at, which is written once, when it is placed (always after the seal: see SEAL_TARGET).
 */
const PLACED = 'o.placed_at IS NOT NULL';
const TICKETS_OF_ORDER = '(SELECT sum(i.quantity) FROM order_items i WHERE i.order_id = o.id)';

export interface OwnedEvent {
  id: string;
  name: string;
  status: 'on_sale' | 'cancelled';
  capacity: number;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  place: string;
  firstSaleAt: Date | null;
  /** Orders older than the seal margin are not in the rollup yet. */
  sealDue: boolean;
}

/**
 * The event if this user owns it or manages it (a `manager` of its team, from event_staff); anyone else's event is
 * indistinguishable from a missing one. Check-in staff do not read sales or attendees.
 */
export async function findOwnedEvent(
  db: pg.Pool,
  eventId: string,
  organizerId: string,
): Promise<OwnedEvent | undefined> {
  const { rows } = await db.query(
    `SELECT i.event_id, i.name, i.status, i.capacity, i.starts_at, i.ends_at, i.timezone, i.place, f.first_sale,
            f.first_sale IS NOT NULL AND coalesce(r.sealed_until, timestamptz 'epoch') < ${SEAL_TARGET} AS seal_due
     FROM inventories i
     LEFT JOIN sales_rollups r ON r.event_id = i.event_id
     CROSS JOIN LATERAL (SELECT min(o.placed_at) AS first_sale FROM orders o WHERE o.event_id = i.event_id AND ${PLACED}) f
     WHERE i.event_id = $1 AND (i.organizer_id = $2 OR EXISTS (
       SELECT 1 FROM event_staff s
       WHERE s.user_id = $2 AND s.role = 'manager' AND s.organizer_id = i.organizer_id
         AND (s.event_id = i.event_id OR s.event_id IS NULL)))`,
    [eventId, organizerId],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.event_id,
    name: row.name,
    status: row.status,
    capacity: row.capacity,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timezone: row.timezone,
    place: row.place,
    firstSaleAt: row.first_sale,
    sealDue: row.seal_due,
  };
}

/**
 * Moves the event's sales and cancellations older than the seal margin into the rollup. One request seals at a time
 * (SKIP LOCKED): the others read the orders after the current seal instead, which is slower but just as right.
 * Returns whether this call sealed anything.
 */
export async function sealSales(pool: pg.Pool, eventId: string): Promise<boolean> {
  await pool.query(
    `INSERT INTO sales_rollups (event_id, sealed_until) VALUES ($1, timestamptz 'epoch') ON CONFLICT DO NOTHING`,
    [eventId],
  );
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ sealed: Date; target: Date }>(
      `SELECT sealed_until AS sealed, ${SEAL_TARGET} AS target FROM sales_rollups WHERE event_id = $1
       FOR UPDATE SKIP LOCKED`,
      [eventId],
    );
    const row = rows[0];
    if (!row || row.target.getTime() <= row.sealed.getTime()) return false;
    await client.query(
      `WITH placed_orders AS MATERIALIZED (
         SELECT o.id, o.currency, o.total, ${slotOf('o.placed_at')} AS slot FROM orders o
         WHERE o.event_id = $1 AND o.placed_at >= $2 AND o.placed_at < $3),
       placed AS (
         SELECT slot, currency, count(*) AS orders, sum(total) AS gross FROM placed_orders GROUP BY 1, 2),
       placed_tickets AS (
         SELECT p.slot, p.currency, sum(i.quantity) AS tickets
         FROM placed_orders p JOIN order_items i ON i.order_id = p.id GROUP BY 1, 2),
       cancelled AS (
         SELECT ${slotOf('o.cancelled_at')} AS slot, o.currency, count(*) AS orders,
                sum(coalesce(o.refund, 0)) AS refunds, sum(${TICKETS_OF_ORDER}) AS tickets
         FROM orders o WHERE o.event_id = $1 AND ${PLACED} AND o.cancelled_at >= $2 AND o.cancelled_at < $3
         GROUP BY 1, 2)
       INSERT INTO sales_slots (event_id, slot, currency, orders, tickets, gross, cancelled_orders, cancelled_tickets, refunds)
       SELECT $1, slot, currency, coalesce(p.orders, 0), coalesce(t.tickets, 0), coalesce(p.gross, 0),
              coalesce(c.orders, 0), coalesce(c.tickets, 0), coalesce(c.refunds, 0)
       FROM placed p
       LEFT JOIN placed_tickets t USING (slot, currency)
       FULL JOIN cancelled c USING (slot, currency)
       ON CONFLICT (event_id, slot, currency) DO UPDATE SET
         orders = sales_slots.orders + excluded.orders,
         tickets = sales_slots.tickets + excluded.tickets,
         gross = sales_slots.gross + excluded.gross,
         cancelled_orders = sales_slots.cancelled_orders + excluded.cancelled_orders,
         cancelled_tickets = sales_slots.cancelled_tickets + excluded.cancelled_tickets,
         refunds = sales_slots.refunds + excluded.refunds`,
      [eventId, row.sealed, row.target],
    );
    await client.query('UPDATE sales_rollups SET sealed_until = $2, updated_at = now() WHERE event_id = $1', [
      eventId,
      row.target,
    ]);
    return true;
  });
}

/** Forgets an event's rollup, so the next metrics read rebuilds it from the orders (after a data repair). */
export async function resetSalesRollup(pool: pg.Pool, eventId: string): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('DELETE FROM sales_rollups WHERE event_id = $1', [eventId]);
    await client.query('DELETE FROM sales_slots WHERE event_id = $1', [eventId]);
  });
}

const figuresOf = (row: Record<string, string | number | null>): SalesFigures => ({
  currency: String(row.currency),
  orders: Number(row.orders ?? 0),
  tickets: Number(row.tickets ?? 0),
  gross: Number(row.gross ?? 0),
  cancelledOrders: Number(row.cancelled_orders ?? 0),
  cancelledTickets: Number(row.cancelled_tickets ?? 0),
  refunds: Number(row.refunds ?? 0),
});

const SUMS = `sum(orders) AS orders, sum(tickets) AS tickets, sum(gross) AS gross, sum(cancelled_orders) AS cancelled_orders,
              sum(cancelled_tickets) AS cancelled_tickets, sum(refunds) AS refunds`;

/**
 * Rows of (bucket, currency, figures) from the rollup before the seal and the orders after it. `bucket` maps a time
 * column to its bucket ('NULL' for all time). $1 is the event, $2 its seal (read in the same snapshot, and passed as a
 * value so the planner sees how few orders follow it); when `windowed`, $3 and $4 bound the window and $5 holds the
 * bucket starts.
 */
function salesSql(bucket: (column: string) => string, windowed: boolean): string {
  const slotRange = windowed
    ? 'AND s.slot >= $3::timestamptz AND s.slot < least($4::timestamptz, $2::timestamptz)'
    : 'AND s.slot < $2::timestamptz';
  const range = (column: string) =>
    windowed ? `${column} >= greatest($3, $2) AND ${column} < $4` : `${column} >= $2`;
  return `
    SELECT k, currency, ${SUMS} FROM (
      SELECT ${bucket('s.slot')} AS k, s.currency, s.orders, s.tickets, s.gross, s.cancelled_orders, s.cancelled_tickets,
             s.refunds
      FROM sales_slots s WHERE s.event_id = $1 ${slotRange}
      UNION ALL
      SELECT ${bucket('o.placed_at')}, o.currency, 1, ${TICKETS_OF_ORDER}, o.total, 0, 0, 0
      FROM orders o WHERE o.event_id = $1 AND ${PLACED} AND ${range('o.placed_at')}
      UNION ALL
      SELECT ${bucket('o.cancelled_at')}, o.currency, 0, 0, 0, 1, ${TICKETS_OF_ORDER}, coalesce(o.refund, 0)
      FROM orders o WHERE o.event_id = $1 AND ${PLACED} AND ${range('o.cancelled_at')}
    ) x GROUP BY 1, 2`;
}

const SERIES_SQL = salesSql((column) => `width_bucket(${column}, $5::timestamptz[])`, true);
const TOTALS_SQL = salesSql(() => 'NULL::int', false);

/** Everything the metrics endpoint shows, read in one snapshot: the window's buckets, all-time totals and the tiers. */
export async function readMetricsFigures(
  pool: pg.Pool,
  event: OwnedEvent,
  window: MetricsWindow,
  timeZone: string,
): Promise<MetricsFigures> {
  return withTransaction(
    pool,
    async (client) => {
      // The seal, and the local bucket starts as instants: date_trunc and generate_series in the zone handle 23- and
      // 25-hour days. One row of arrays rather than a row per bucket.
      // Instants travel as epoch milliseconds: parsing a thousand timestamps costs more than the query.
      const frame = await client.query<{ sealed: Date; starts: number[]; offsets: number[]; stop: Date }>(
        `SELECT coalesce((SELECT sealed_until FROM sales_rollups WHERE event_id = $6), timestamptz 'epoch') AS sealed,
                array_agg((extract(epoch FROM b) * 1000)::float8 ORDER BY b) AS starts,
                array_agg(extract(epoch FROM (b AT TIME ZONE $4) - (b AT TIME ZONE 'UTC'))::int ORDER BY b) AS offsets,
                date_add(max(b), $5::interval, $4) AS stop
         FROM generate_series(
           date_trunc($1, $2::timestamptz, $4),
           greatest(date_trunc($1, $2::timestamptz, $4), date_trunc($1, $3::timestamptz - interval '1 microsecond', $4)),
           $5::interval, $4) AS b`,
        [window.interval, window.from, window.to, timeZone, stepOf(window.interval), event.id],
      );
      const { sealed, offsets, stop } = frame.rows[0] as (typeof frame.rows)[number];
      const starts = frame.rows[0]?.starts.map((ms) => new Date(ms)) ?? [];
      const first = starts[0] as Date;
      const startsLiteral = `{${starts.map((start) => start.toISOString()).join(',')}}`;
      const cells = await client.query(SERIES_SQL, [event.id, sealed, first, stop, startsLiteral]);
      const totals = await client.query(TOTALS_SQL, [event.id, sealed]);
      const tiers = await client.query<{
        tier_id: string;
        name: string;
        price: string;
        currency: string;
        quantity: number;
        sold: number;
      }>(
        'SELECT tier_id, name, price, currency, quantity, sold FROM tier_stock WHERE event_id = $1 ORDER BY position',
        [event.id],
      );
      return {
        buckets: starts.map((start, index) => ({ start, offsetSeconds: offsets[index] as number })),
        stop,
        cells: cells.rows.map((row) => ({ bucket: Number(row.k), ...figuresOf(row) })),
        totals: totals.rows.map(figuresOf),
        tiers: tiers.rows.map(tierStockOf),
      };
    },
    { isolation: 'repeatable read', readOnly: true },
  );
}

/** How many upcoming events the dashboard lists. */
export const UPCOMING_LIMIT = 50;

/** Figures across all of an organizer's events, and the upcoming ones with what they sold. */
export async function readDashboardFigures(
  pool: pg.Pool,
  organizerId: string,
  now: Date,
): Promise<DashboardFigures> {
  const [events, upcoming, money] = await Promise.all([
    pool.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'on_sale')::int AS on_sale,
              count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
              count(*) FILTER (WHERE status = 'on_sale' AND starts_at > $2)::int AS upcoming,
              (SELECT coalesce(sum(t.sold), 0)::int FROM tier_stock t JOIN inventories e ON e.event_id = t.event_id
               WHERE e.organizer_id = $1) AS sold
       FROM inventories WHERE organizer_id = $1`,
      [organizerId, now],
    ),
    pool.query(
      `SELECT i.event_id, i.name, i.status, i.capacity, i.starts_at, i.ends_at, i.timezone, i.place,
              coalesce(sum(t.sold), 0)::int AS sold, coalesce(sum(t.quantity - t.sold), 0)::int AS remaining
       FROM inventories i LEFT JOIN tier_stock t ON t.event_id = i.event_id
       WHERE i.organizer_id = $1 AND i.status = 'on_sale' AND i.starts_at > $2
       GROUP BY i.event_id ORDER BY i.starts_at, i.event_id LIMIT ${UPCOMING_LIMIT}`,
      [organizerId, now],
    ),
    // The same split as the metrics: each event's rollup before its seal, its orders after (all of them if unsealed).
    pool.query(
      `WITH e AS (
         SELECT i.event_id, coalesce(r.sealed_until, timestamptz 'epoch') AS sealed
         FROM inventories i LEFT JOIN sales_rollups r ON r.event_id = i.event_id WHERE i.organizer_id = $1)
       SELECT currency, ${SUMS} FROM (
         SELECT s.currency, s.orders, s.tickets, s.gross, s.cancelled_orders, s.cancelled_tickets, s.refunds
         FROM e JOIN sales_slots s ON s.event_id = e.event_id AND s.slot < e.sealed
         UNION ALL
         SELECT o.currency, 1, 0, o.total, 0, 0, 0
         FROM e JOIN orders o ON o.event_id = e.event_id AND o.placed_at >= e.sealed
         UNION ALL
         SELECT o.currency, 0, 0, 0, 1, ${TICKETS_OF_ORDER}, coalesce(o.refund, 0)
         FROM e JOIN orders o ON o.event_id = e.event_id AND o.cancelled_at >= e.sealed WHERE ${PLACED}
       ) x GROUP BY currency`,
      [organizerId],
    ),
  ]);
  const counts = events.rows[0];
  return {
    events: {
      total: counts.total,
      onSale: counts.on_sale,
      cancelled: counts.cancelled,
      upcoming: counts.upcoming,
    },
    sold: counts.sold,
    money: money.rows.map(figuresOf),
    upcoming: upcoming.rows.map((row) => ({
      id: row.event_id,
      name: row.name,
      status: row.status,
      startsAt: row.starts_at,
      endsAt: row.ends_at,
      timezone: row.timezone,
      place: row.place,
      capacity: row.capacity,
      sold: row.sold,
      remaining: row.remaining,
    })),
  };
}

// Microsecond precision: a cursor rounded to milliseconds could skip or repeat rows.
const attendeeKey = z.tuple([cursorInstant, z.uuid(), z.uuid()]);

/** Tickets of the event in purchase order (then order id, ticket id), keyset-paginated. */
export async function listAttendees(
  db: pg.Pool,
  eventId: string,
  timeZone: string,
  options: { limit: number; cursor?: string; status?: 'valid' | 'void' },
): Promise<Page<AttendeeRecord>> {
  const after = decodeCursor(options.cursor, attendeeKey);
  const { rows } = await db.query(
    `SELECT t.id AS ticket_id, t.code, t.status AS ticket_status, t.tier_id, i.tier_name, o.id AS order_id,
            o.status AS order_status, o.buyer_email, o.buyer_first_name, o.total, o.refund, o.currency, o.created_at,
            to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key,
            to_char(o.created_at AT TIME ZONE $2, 'YYYY-MM-DD"T"HH24:MI:SS') AS created_local,
            extract(epoch FROM (o.created_at AT TIME ZONE $2) - (o.created_at AT TIME ZONE 'UTC'))::int AS offset_seconds,
            to_char(o.cancelled_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS') AS cancelled_local
     FROM orders o
     JOIN tickets t ON t.order_id = o.id
     JOIN order_items i ON i.order_id = t.order_id AND i.tier_id = t.tier_id
     WHERE o.event_id = $1 AND ($3::text IS NULL OR t.status = $3)
       ${after ? 'AND (o.created_at, o.id) >= ($5::timestamptz, $6::uuid) AND (o.created_at, o.id, t.id) > ($5, $6, $7::uuid)' : ''}
     ORDER BY o.created_at, o.id, t.id
     LIMIT $4`,
    [eventId, timeZone, options.status ?? null, options.limit + 1, ...(after ?? [])],
  );
  return toPage(
    rows,
    options.limit,
    (row): AttendeeRecord => ({
      ticketId: row.ticket_id,
      ticketCode: row.code,
      ticketStatus: row.ticket_status,
      tierId: row.tier_id,
      tierName: row.tier_name,
      orderId: row.order_id,
      orderStatus: row.order_status,
      email: row.buyer_email,
      firstName: row.buyer_first_name,
      purchasedAt: row.created_at.toISOString(),
      purchasedAtLocal: withOffset(row.created_local, row.offset_seconds),
      orderTotal: Number(row.total),
      orderRefund: row.refund === null ? null : Number(row.refund),
      currency: row.currency,
      purchasedLocal: String(row.created_local).replace('T', ' '),
      cancelledLocal: row.cancelled_local,
      position: encodeCursor([row.created_key, row.order_id, row.ticket_id]),
    }),
    (row) => [row.created_key, row.order_id, row.ticket_id],
  );
}
