// SQL of the notifications database: holdings upserted from ticket messages, delivery claims keyed by dedupe key,
// reminder claims with their outbox messages, and the history of sent emails (keyset pagination).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';
import { envelope } from '../../layers/common/messages';
import { enqueue } from '../../layers/common/outbox';
import { decodeCursor, timeAndId, toPage } from '../../layers/common/pagination';
import { retryPolicy } from '../../layers/common/resilience';
import type { Claim, Holder, NotificationStore } from './notifications';
import { type NotificationKind, REMINDERS_QUEUE, type ReminderDueV1, ReminderMessageTypes } from './schemas';

const SERVICE = 'notifications';
// After a send, recording its outcome must survive a dropped connection: a claim left "sending" is never resent.
const afterSend = retryPolicy({ maxAttempts: 4, initialDelayMs: 50, maxDelayMs: 1_000 });

/** A holding as the stores read it, for `toHolder`. */
export interface HoldingRow {
  user_id: string;
  email: string;
  first_name: string;
  event_id: string;
  event_name: string;
  event_starts_at: Date;
  event_ends_at: Date;
  event_timezone: string;
  event_place: string;
  ticket_count: number;
  ticket_codes: string[];
}

interface DeliveryRow {
  id: string;
  kind: NotificationKind;
  subject: string;
  sent_at: Date;
  order_id: string | null;
  event_id: string | null;
}

/** Columns of a holding, shared by the purchase and the cancellation upserts ($1..$10). */
const HOLDING_COLUMNS = `order_id, user_id, email, first_name, event_id, event_name, event_starts_at, event_ends_at,
  event_timezone, event_place`;

const holdingValues = (order: {
  orderId: string;
  eventId: string;
  buyer: { userId: string; email: string; firstName: string };
  event: { name: string; startsAt: string; endsAt: string; timezone: string; place: string };
}) => [
  order.orderId,
  order.buyer.userId,
  order.buyer.email,
  order.buyer.firstName,
  order.eventId,
  order.event.name,
  order.event.startsAt,
  order.event.endsAt,
  order.event.timezone,
  order.event.place,
];

export function pgNotificationStore(pool: () => Promise<pg.Pool>): NotificationStore {
  return {
    async recordPurchase(order, at) {
      const { rows } = await (await pool()).query<{ status: 'confirmed' | 'cancelled' }>(
        `INSERT INTO holdings (${HOLDING_COLUMNS}, ticket_count, ticket_codes, status, purchased_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'confirmed', $13)
         ON CONFLICT (order_id) DO UPDATE SET
           user_id = EXCLUDED.user_id, email = EXCLUDED.email, first_name = EXCLUDED.first_name,
           event_id = EXCLUDED.event_id, event_name = EXCLUDED.event_name,
           event_starts_at = EXCLUDED.event_starts_at, event_ends_at = EXCLUDED.event_ends_at,
           event_timezone = EXCLUDED.event_timezone, event_place = EXCLUDED.event_place,
           ticket_count = EXCLUDED.ticket_count, ticket_codes = EXCLUDED.ticket_codes,
           purchased_at = EXCLUDED.purchased_at, updated_at = now()
           -- status is left alone: a cancellation that arrived first wins.
         RETURNING status`,
        [...holdingValues(order), order.tickets.length, order.tickets.map((ticket) => ticket.code), at],
      );
      return rows[0]?.status ?? 'confirmed';
    },

    async recordCancellation(order, at) {
      await (await pool()).query(
        `INSERT INTO holdings (${HOLDING_COLUMNS}, ticket_count, status, cancelled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 'cancelled', $11)
         ON CONFLICT (order_id) DO UPDATE SET
           status = 'cancelled', cancelled_at = COALESCE(holdings.cancelled_at, EXCLUDED.cancelled_at),
           updated_at = now()`,
        [...holdingValues(order), at],
      );
    },

    async holderOf(eventId, userId) {
      // Newest order first: its snapshot of the event (and the buyer's email) is the most recent one.
      const { rows } = await (await pool()).query<HoldingRow>(
        `SELECT user_id, email, first_name, event_id, event_name, event_starts_at, event_ends_at, event_timezone,
                event_place, ticket_count, ticket_codes
         FROM holdings WHERE event_id = $1 AND user_id = $2 AND status = 'confirmed' AND ticket_count > 0
         ORDER BY purchased_at DESC NULLS LAST, order_id`,
        [eventId, userId],
      );
      const latest = rows[0];
      if (!latest) return undefined;
      return {
        ...toHolder(latest),
        ticketCount: rows.reduce((sum, row) => sum + row.ticket_count, 0),
        ticketCodes: rows.flatMap((row) => row.ticket_codes),
      };
    },

    async queueDueReminders(from, until, correlationId) {
      return withTransaction(await pool(), async (client) => {
        // The unique (event_id, user_id) claim decides: a concurrent scan waits on it and then inserts nothing.
        const { rows } = await client.query<{ event_id: string; user_id: string; starts_at: Date }>(
          `INSERT INTO reminders (event_id, user_id, starts_at)
           SELECT DISTINCT ON (event_id, user_id) event_id, user_id, event_starts_at
           FROM holdings
           WHERE status = 'confirmed' AND ticket_count > 0 AND event_starts_at > $1 AND event_starts_at <= $2
           ORDER BY event_id, user_id, purchased_at DESC NULLS LAST
           ON CONFLICT (event_id, user_id) DO NOTHING
           RETURNING event_id, user_id, starts_at`,
          [from, until],
        );
        const { type, version } = ReminderMessageTypes.ReminderDue;
        const messages = rows.map((row) =>
          envelope<ReminderDueV1>(
            SERVICE,
            type,
            version,
            { eventId: row.event_id, userId: row.user_id, startsAt: row.starts_at.toISOString() },
            correlationId,
          ),
        );
        for (let start = 0; start < messages.length; start += 500)
          await enqueue(client, { queue: REMINDERS_QUEUE }, messages.slice(start, start + 500));
        // Claims of events long past can never match the window again.
        await client.query("DELETE FROM reminders WHERE starts_at < now() - interval '7 days'");
        return rows.length;
      });
    },

    async claimDelivery(spec) {
      const db = await pool();
      // Two rounds at most: a claim released between our insert and our read can be taken on the second.
      for (let round = 0; round < 2; round++) {
        const claimed = await db.query<{ id: string }>(
          `INSERT INTO deliveries (id, dedupe_key, kind, user_id, recipient, subject, order_id, event_id, status,
                                   attempts, claimed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'sending', 1, clock_timestamp())
           ON CONFLICT (dedupe_key) DO UPDATE SET
             status = 'sending', attempts = deliveries.attempts + 1, claimed_at = clock_timestamp(),
             recipient = EXCLUDED.recipient, subject = EXCLUDED.subject
           -- 'unconfirmed' rows are claims an earlier version gave up after a crash: they are sent now.
           WHERE deliveries.status IN ('failed', 'unconfirmed')
           RETURNING id`,
          [
            randomUUID(),
            spec.key,
            spec.kind,
            spec.userId ?? null,
            spec.to,
            spec.subject,
            spec.orderId ?? null,
            spec.eventId ?? null,
          ],
        );
        const id = claimed.rows[0]?.id;
        if (id) return { state: 'claimed', id };
        const { rows } = await db.query<{ id: string; status: string; claimed_at: Date }>(
          'SELECT id, status, claimed_at FROM deliveries WHERE dedupe_key = $1',
          [spec.key],
        );
        const row = rows[0];
        if (!row || row.status === 'failed' || row.status === 'unconfirmed') continue;
        if (row.status === 'sent') return { state: 'sent' };
        return { state: 'sending', id: row.id, claimedAt: row.claimed_at } satisfies Claim;
      }
      throw new Error(`could not claim delivery ${spec.key}`);
    },

    async markSent(id, providerMessageId) {
      const db = await pool();
      // Millisecond precision: history cursors carry the ISO time, which has no microseconds.
      await afterSend.execute(() =>
        db.query(
          `UPDATE deliveries SET status = 'sent', sent_at = date_trunc('milliseconds', clock_timestamp()),
           provider_message_id = $2, last_error = NULL
         WHERE id = $1`,
          [id, providerMessageId ?? null],
        ),
      );
    },

    async releaseDelivery(id, error) {
      const db = await pool();
      await afterSend.execute(() =>
        db.query(
          "UPDATE deliveries SET status = 'failed', last_error = $2 WHERE id = $1 AND status = 'sending'",
          [id, error],
        ),
      );
    },

    async takeOverStale(id, claimedAt) {
      // Compare-and-set on the claim time (as read, to the millisecond a JS Date holds): of two attempts taking over
      // at once, the second finds the time the first set and matches nothing.
      const taken = await (await pool()).query(
        `UPDATE deliveries SET claimed_at = clock_timestamp(), attempts = attempts + 1
         WHERE id = $1 AND status = 'sending' AND date_trunc('milliseconds', claimed_at) = $2`,
        [id, claimedAt],
      );
      return taken.rowCount === 1;
    },

    async sentTo(userId, limit, cursor) {
      const after = decodeCursor(cursor, timeAndId);
      const { rows } = await (await pool()).query<DeliveryRow>(
        `SELECT id, kind, subject, sent_at, order_id, event_id FROM deliveries
         WHERE user_id = $1 AND status = 'sent'
           AND ($2::timestamptz IS NULL OR (sent_at, id) < ($2, $3::uuid))
         ORDER BY sent_at DESC, id DESC LIMIT $4`,
        [userId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
      );
      return toPage(
        rows,
        limit,
        (row) => ({
          id: row.id,
          kind: row.kind,
          subject: row.subject,
          sentAt: row.sent_at.toISOString(),
          ...(row.order_id ? { orderId: row.order_id } : {}),
          ...(row.event_id ? { eventId: row.event_id } : {}),
        }),
        (row) => [row.sent_at.toISOString(), row.id],
      );
    },
  };
}

/** A holder from one holding row: the buyer, the event as that order saw it, and its tickets. */
export function toHolder(row: HoldingRow): Holder {
  return {
    userId: row.user_id,
    email: row.email,
    firstName: row.first_name,
    eventId: row.event_id,
    event: {
      name: row.event_name,
      startsAt: row.event_starts_at.toISOString(),
      endsAt: row.event_ends_at.toISOString(),
      timezone: row.event_timezone,
      place: row.event_place,
    },
    ticketCount: row.ticket_count,
    ticketCodes: row.ticket_codes,
  };
}
