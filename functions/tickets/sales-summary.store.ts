// One organizer's day in figures for the daily sales summary: tickets and revenue per tier of the orders placed in
// the window, the orders cancelled in it after they were placed (and their refunds), and the check-ins it saw.
import type { EventSalesSummary, SalesSummaryRequest } from '../../events/contracts/sales-summary';
import type { pg } from '../../layers/common/db';

interface Row {
  event_id: string;
  name: string;
  starts_at: Date;
  sold: { tier: string; currency: string; tickets: number; amount: string }[] | null;
  refunded_orders: number;
  refunded_tickets: number;
  refunds: { currency: string; amount: string }[] | null;
  check_ins: number;
}

// Each part is read through its own index (orders_event_placed, check_ins_event) for the organizer's events only;
// an event appears when any part has something in the window.
const SUMMARY_SQL = `
  WITH ev AS (SELECT event_id, name, starts_at FROM inventories WHERE organizer_id = $1),
  sold AS (
    SELECT o.event_id, i.tier_name AS tier, o.currency, sum(i.quantity)::int AS tickets,
           sum(i.quantity * i.unit_price) AS amount
    FROM ev JOIN orders o ON o.event_id = ev.event_id AND o.placed_at >= $2 AND o.placed_at < $3
    JOIN order_items i ON i.order_id = o.id
    GROUP BY 1, 2, 3),
  refunded AS (
    SELECT o.event_id, o.currency, count(*)::int AS orders,
           sum((SELECT sum(quantity) FROM order_items WHERE order_id = o.id))::int AS tickets,
           sum(coalesce(o.refund, 0)) AS amount
    FROM ev JOIN orders o ON o.event_id = ev.event_id AND o.placed_at IS NOT NULL
      AND o.cancelled_at >= $2 AND o.cancelled_at < $3
    GROUP BY 1, 2),
  admitted AS (
    SELECT c.event_id, count(*)::int AS check_ins
    FROM ev JOIN check_ins c ON c.event_id = ev.event_id AND c.scanned_at >= $2 AND c.scanned_at < $3
    GROUP BY 1)
  SELECT ev.event_id, ev.name, ev.starts_at,
    (SELECT json_agg(json_build_object('tier', tier, 'currency', currency, 'tickets', tickets, 'amount', amount::text)
            ORDER BY tier, currency) FROM sold WHERE sold.event_id = ev.event_id) AS sold,
    coalesce((SELECT sum(orders) FROM refunded WHERE refunded.event_id = ev.event_id), 0)::int AS refunded_orders,
    coalesce((SELECT sum(tickets) FROM refunded WHERE refunded.event_id = ev.event_id), 0)::int AS refunded_tickets,
    (SELECT json_agg(json_build_object('currency', currency, 'amount', amount::text) ORDER BY currency)
       FROM refunded WHERE refunded.event_id = ev.event_id) AS refunds,
    coalesce((SELECT check_ins FROM admitted WHERE admitted.event_id = ev.event_id), 0) AS check_ins
  FROM ev
  WHERE ev.event_id IN (SELECT event_id FROM sold UNION SELECT event_id FROM refunded UNION SELECT event_id FROM admitted)
  ORDER BY ev.starts_at, ev.event_id`;

export async function readSalesSummary(
  pool: pg.Pool,
  request: SalesSummaryRequest,
): Promise<EventSalesSummary[]> {
  // One statement, one snapshot: a refund committed mid-read is counted in every part or in none.
  const { rows } = await pool.query<Row>(SUMMARY_SQL, [request.organizerId, request.from, request.to]);
  return rows.map((row) => ({
    eventId: row.event_id,
    name: row.name,
    startsAt: row.starts_at.toISOString(),
    tiers: (row.sold ?? []).map((tier) => ({ ...tier, amount: Number(tier.amount) })),
    refunds: {
      orders: row.refunded_orders,
      tickets: row.refunded_tickets,
      amounts: (row.refunds ?? []).map((refund) => ({ ...refund, amount: Number(refund.amount) })),
    },
    checkIns: row.check_ins,
  }));
}
