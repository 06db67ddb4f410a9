// SQL of the data-subject requests (parameterized only): a buyer's orders for their export, and their anonymisation
// when the account is deleted. Orders stay for the organizers' accounting and the dashboards (amounts, tiers, dates,
// the event) but no longer name or reach the person.
import type pg from 'pg';
import { ERASED_EMAIL, ERASED_NAME, ERASED_USER_ID } from '../../events/contracts/privacy';
import { withTransaction } from '../../layers/common/db';
import { markProcessed } from '../../layers/common/outbox';
import { ORDER_SELECT, type OrderRow, toOrder } from './orders.store';
import type { Order } from './schemas';

/** Every order of the user, oldest first, as GET /v1/orders shows them (with their tickets). */
export async function ordersOfUser(pool: pg.Pool, userId: string): Promise<Order[]> {
  const { rows } = await pool.query<OrderRow>(
    `${ORDER_SELECT} WHERE o.user_id = $1 ORDER BY o.created_at, o.id`,
    [userId],
  );
  return rows.map(toOrder);
}

/**
 * Anonymises the user's orders, forgets their purchase retries and keeps a tombstone (erased_users) so that the
 * account's still-valid access tokens buy nothing more, once per message; false when the message was processed
 * before. Tickets stay valid: whoever holds their QR codes is still admitted.
 */
export async function anonymiseBuyer(
  pool: pg.Pool,
  consumer: string,
  messageId: string,
  userId: string,
): Promise<{ orders: number } | false> {
  return withTransaction(pool, async (client) => {
    if (!(await markProcessed(client, consumer, messageId))) return false;
    // The tombstone first: a purchase reading it after this commits is refused (purchase.store.ts READ).
    await client.query('INSERT INTO erased_users (user_id) VALUES ($1) ON CONFLICT DO NOTHING', [userId]);
    const { rowCount } = await client.query(
      `UPDATE orders SET user_id = $2, buyer_email = $3, buyer_first_name = $4, payment_client_secret = NULL
       WHERE user_id = $1`,
      [userId, ERASED_USER_ID, ERASED_EMAIL, ERASED_NAME],
    );
    // Stored answers of purchase retries repeat the buyer's order; they are kept only for retries anyway.
    await client.query('DELETE FROM idempotency_keys WHERE user_id = $1', [userId]);
    return { orders: rowCount ?? 0 };
  });
}
