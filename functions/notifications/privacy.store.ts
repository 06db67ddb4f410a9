// SQL of the data-subject requests (parameterized only): the emails sent to a person, for their export, and
// forgetting them when their account is deleted: their sent-email history, the holdings that address their
// reminders, the reminders themselves and their sales-summary subscription, with a tombstone so that a late
// preferences message does not subscribe them again.
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';
import { markProcessed } from '../../layers/common/outbox';

export interface SentEmail {
  kind: string;
  subject: string;
  to: string;
  status: string;
  sentAt: string | null;
  orderId: string | null;
  eventId: string | null;
}

/** Every email this service sent (or tried to send) to the user, oldest first. */
export async function emailsOfUser(pool: pg.Pool, userId: string): Promise<SentEmail[]> {
  const { rows } = await pool.query<{
    kind: string;
    subject: string;
    recipient: string;
    status: string;
    sent_at: Date | null;
    order_id: string | null;
    event_id: string | null;
  }>(
    `SELECT kind, subject, recipient, status, sent_at, order_id, event_id FROM deliveries
     WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
  return rows.map((row) => ({
    kind: row.kind,
    subject: row.subject,
    to: row.recipient,
    status: row.status,
    sentAt: row.sent_at?.toISOString() ?? null,
    orderId: row.order_id,
    eventId: row.event_id,
  }));
}

/** Forgets the user once per message; false when the message was processed before. */
export async function forgetUser(
  pool: pg.Pool,
  consumer: string,
  messageId: string,
  userId: string,
  email: string | undefined,
): Promise<{ emails: number; holdings: number } | false> {
  return withTransaction(pool, async (client) => {
    if (!(await markProcessed(client, consumer, messageId))) return false;
    await client.query('INSERT INTO erased_users (user_id) VALUES ($1) ON CONFLICT DO NOTHING', [userId]);
    // By address too: a team invitation is sent to an address, before (or without) any account of its owner.
    const emails = await client.query(
      'DELETE FROM deliveries WHERE user_id = $1 OR lower(recipient) = lower($2::text)',
      [userId, email ?? null],
    );
    // No holdings, no reminders: the scan finds nobody to remind, and a queued ReminderDue finds no holder.
    const holdings = await client.query('DELETE FROM holdings WHERE user_id = $1', [userId]);
    await client.query('DELETE FROM reminders WHERE user_id = $1', [userId]);
    await client.query('DELETE FROM summary_subscriptions WHERE user_id = $1', [userId]);
    await client.query('DELETE FROM sales_summaries WHERE organizer_id = $1', [userId]);
    return { emails: emails.rowCount ?? 0, holdings: holdings.rowCount ?? 0 };
  });
}
