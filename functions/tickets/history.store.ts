// SQL for what buyers read: their orders, their tickets, and their event history (from the snapshot on each
// order, so no call to the events service). Lists use keyset pagination on their sort key.
import type pg from 'pg';
import { decodeCursor, type Page, timeAndId, toPage } from '../../layers/common/pagination';
import { ORDER_SELECT, type OrderRow, toOrder } from './orders.store';
import type { Order } from './schemas';

/** Newest first. */
export async function listOrders(
  pool: pg.Pool,
  userId: string,
  limit: number,
  cursor?: string,
): Promise<Page<Order>> {
  const after = decodeCursor(cursor, timeAndId);
  const { rows } = await pool.query<OrderRow>(
    `${ORDER_SELECT} WHERE o.user_id = $1 AND ($2::timestamptz IS NULL OR (o.created_at, o.id) < ($2, $3::uuid))
     ORDER BY o.created_at DESC, o.id DESC LIMIT $4`,
    [userId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  return toPage(rows, limit, toOrder, (row) => [row.created_at.toISOString(), row.id]);
}

export interface TicketView {
  id: string;
  orderId: string;
  tierId: string;
  tierName: string;
  code: string;
  status: 'valid' | 'void';
  event: { id: string; name: string; startsAt: string; endsAt: string; timezone: string; place: string };
}

/** Newest first; voided tickets (cancelled orders) are listed with their status. */
export async function listTickets(
  pool: pg.Pool,
  userId: string,
  limit: number,
  cursor?: string,
): Promise<Page<TicketView>> {
  const after = decodeCursor(cursor, timeAndId);
  const { rows } = await pool.query(
    `SELECT t.id, t.order_id, t.tier_id, i.tier_name, t.code, t.status, t.created_at,
            o.event_id, o.event_name, o.event_starts_at, o.event_ends_at, o.event_timezone, o.event_place
     FROM tickets t
     JOIN orders o ON o.id = t.order_id
     JOIN order_items i ON i.order_id = t.order_id AND i.tier_id = t.tier_id
     WHERE o.user_id = $1 AND ($2::timestamptz IS NULL OR (t.created_at, t.id) < ($2, $3::uuid))
     ORDER BY t.created_at DESC, t.id DESC LIMIT $4`,
    [userId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  return toPage(
    rows,
    limit,
    (row): TicketView => ({
      id: row.id,
      orderId: row.order_id,
      tierId: row.tier_id,
      tierName: row.tier_name,
      code: row.code,
      status: row.status,
      event: {
        id: row.event_id,
        name: row.event_name,
        startsAt: row.event_starts_at.toISOString(),
        endsAt: row.event_ends_at.toISOString(),
        timezone: row.event_timezone,
        place: row.event_place,
      },
    }),
    (row) => [row.created_at.toISOString(), row.id],
  );
}

export interface HistoryEntry {
  id: string;
  name: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  place: string;
  tickets: number;
  orders: string[];
}

/**
 * Events the user holds (or held) valid tickets for. Upcoming: not yet ended, soonest first. Past: ended, latest
 * first. Instants are compared in UTC (timestamptz), so an event's own time zone never shifts it between the two.
 */
export async function listEventHistory(
  pool: pg.Pool,
  userId: string,
  when: 'upcoming' | 'past',
  limit: number,
  cursor?: string,
  now = new Date(),
): Promise<Page<HistoryEntry>> {
  const after = decodeCursor(cursor, timeAndId);
  const upcoming = when === 'upcoming';
  const { rows } = await pool.query(
    `WITH mine AS (
       SELECT o.event_id, max(o.event_name) AS name, max(o.event_starts_at) AS starts_at, max(o.event_ends_at) AS ends_at,
              max(o.event_timezone) AS timezone, max(o.event_place) AS place,
              count(t.id) FILTER (WHERE t.status = 'valid') AS tickets,
              array_agg(DISTINCT o.id) AS orders
       FROM orders o LEFT JOIN tickets t ON t.order_id = o.id
       WHERE o.user_id = $1 AND o.status = 'confirmed'
       GROUP BY o.event_id)
     SELECT * FROM mine
     WHERE ${upcoming ? 'ends_at > $2' : 'ends_at <= $2'}
       AND ($3::timestamptz IS NULL OR (starts_at, event_id) ${upcoming ? '>' : '<'} ($3, $4::uuid))
     ORDER BY starts_at ${upcoming ? 'ASC' : 'DESC'}, event_id ${upcoming ? 'ASC' : 'DESC'}
     LIMIT $5`,
    [userId, now, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  return toPage(
    rows,
    limit,
    (row): HistoryEntry => ({
      id: row.event_id,
      name: row.name,
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at.toISOString(),
      timezone: row.timezone,
      place: row.place,
      tickets: Number(row.tickets),
      orders: row.orders,
    }),
    (row) => [row.starts_at.toISOString(), row.event_id],
  );
}
