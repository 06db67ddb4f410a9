// SQL for reading orders (parameterised only): one order of its buyer, and the row shape every order read shares.
import type pg from 'pg';
import { refundableUntil } from './orders';
import type { Order } from './schemas';

export interface OrderRow {
  id: string;
  user_id: string;
  buyer_email: string;
  buyer_first_name: string;
  event_id: string;
  status: Order['status'];
  total: string;
  currency: string;
  refund: string | null;
  refund_status: 'pending' | 'succeeded' | 'failed' | null;
  expires_at: Date | null;
  refund_hours_before: number | null;
  payment_provider: 'stripe' | 'test-mode' | null;
  payment_id: string | null;
  payment_client_secret: string | null;
  payment_checkout_url: string | null;
  event_name: string;
  event_starts_at: Date;
  event_ends_at: Date;
  event_timezone: string;
  event_place: string;
  created_at: Date;
  cancelled_at: Date | null;
  items: { tier_id: string; tier_name: string; quantity: number; unit_price: number }[];
  tickets: { id: string; tier_id: string; tier_name: string; code: string; status: 'valid' | 'void' }[];
}

export const ORDER_SELECT = `
  SELECT o.*,
    (SELECT json_agg(json_build_object('tier_id', i.tier_id, 'tier_name', i.tier_name, 'quantity', i.quantity,
                                       'unit_price', i.unit_price) ORDER BY i.tier_id)
       FROM order_items i WHERE i.order_id = o.id) AS items,
    (SELECT json_agg(json_build_object('id', t.id, 'tier_id', t.tier_id, 'tier_name', i.tier_name, 'code', t.code,
                                       'status', t.status) ORDER BY t.tier_id, t.id)
       FROM tickets t JOIN order_items i ON i.order_id = t.order_id AND i.tier_id = t.tier_id
       WHERE t.order_id = o.id) AS tickets
  FROM orders o`;

export const eventSnapshotOf = (row: OrderRow) => ({
  name: row.event_name,
  startsAt: row.event_starts_at.toISOString(),
  endsAt: row.event_ends_at.toISOString(),
  timezone: row.event_timezone,
  place: row.event_place,
});

/** What the buyer needs to pay: only while the order awaits payment. */
const paymentOf = (row: OrderRow): Order['payment'] =>
  row.status === 'awaiting_payment' && row.payment_provider && row.payment_id
    ? {
        provider: row.payment_provider,
        paymentId: row.payment_id,
        clientSecret: row.payment_client_secret,
        checkoutUrl: row.payment_checkout_url,
      }
    : null;

export function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    status: row.status,
    expiresAt: row.expires_at?.toISOString() ?? null,
    payment: paymentOf(row),
    event: { id: row.event_id, ...eventSnapshotOf(row) },
    items: (row.items ?? []).map((item) => ({
      tierId: item.tier_id,
      tierName: item.tier_name,
      quantity: item.quantity,
      unitPrice: Number(item.unit_price),
    })),
    total: Number(row.total),
    currency: row.currency,
    refundableUntil:
      refundableUntil({
        total: Number(row.total),
        eventStartsAt: row.event_starts_at,
        refundHoursBefore: row.refund_hours_before,
      })?.toISOString() ?? null,
    // A cancelled free (or unpaid) order has nothing refunded.
    refund:
      row.refund === null || Number(row.refund) === 0
        ? null
        : { amount: Number(row.refund), status: row.refund_status ?? 'succeeded' },
    tickets: (row.tickets ?? []).map((ticket) => ({
      id: ticket.id,
      tierId: ticket.tier_id,
      tierName: ticket.tier_name,
      code: ticket.code,
      status: ticket.status,
    })),
    createdAt: row.created_at.toISOString(),
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
  };
}

/** The caller's own order; someone else's is indistinguishable from a missing one. */
export async function findOrder(
  db: pg.Pool | pg.PoolClient,
  orderId: string,
  userId: string,
): Promise<Order | undefined> {
  const { rows } = await db.query<OrderRow>(`${ORDER_SELECT} WHERE o.id = $1 AND o.user_id = $2`, [
    orderId,
    userId,
  ]);
  return rows[0] ? toOrder(rows[0]) : undefined;
}
