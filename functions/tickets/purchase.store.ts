// SQL of a purchase (parameterised only), shaped for a flash sale: one read and one write statement per attempt.
// - The read runs without locks and outside any transaction; it answers most buyers (a replay, sold out, not on sale)
//   holding a connection for that one round trip, and tries the key's advisory lock to see whether a write with the
//   same key is running.
// - The write takes the key's advisory lock (waiting for a write with the same key, whose committed answer is then
//   replayed), decrements the chosen slot rows (never below zero) and writes the order, its tickets, the outbox
//   message and the idempotency record, in one statement. With the seats from one slot it commits on its own, so the
//   slot row is locked only for the statement and its commit, never for a round trip. Seats from several slots go
//   in a transaction whose BEGIN travels with the statement: one slot may fall short when another does not, and only
//   a ROLLBACK undoes the other's decrement.
import type pg from 'pg';
import { TICKET_EVENTS_TOPIC } from '../../events/contracts/tickets';
import { withTransaction } from '../../layers/common/db';
import { destinationKey } from '../../layers/common/outbox';
import { isUniqueViolation } from '../../layers/common/pg-errors';
import { expiredHoldSeats, releaseExpiredHolds } from './holds.store';
import type { PurchaseSnapshot, PurchaseStore, PurchaseWrite, TierRemaining } from './purchasing';
import type { Order } from './schemas';

interface SnapshotRow {
  locked: boolean;
  erased: boolean;
  existing: { request_hash: string; response_body: Order } | null;
  event: {
    status: string;
    starts_at: string;
    ends_at: string;
    name: string;
    timezone: string;
    place: string;
    hold_seconds: number;
    refund_until_hours_before: number | null;
  } | null;
  expired_holds: boolean;
  tiers:
    | {
        tier_id: string;
        name: string;
        price: number;
        currency: string;
        open: boolean;
        /** [slot, seats left] of each open slot with seats left. */
        slots: [number, number][];
      }[]
    | null;
}

const READ = `SELECT pg_try_advisory_xact_lock(hashtext($1::uuid::text), hashtext($2::text)) AS locked,
    EXISTS (SELECT 1 FROM erased_users WHERE user_id = $1::uuid) AS erased,
    (SELECT row_to_json(k) FROM (SELECT request_hash, response_body FROM idempotency_keys
                                 WHERE user_id = $1::uuid AND key = $2::text) k) AS existing,
    (SELECT row_to_json(i) FROM (SELECT status, starts_at, ends_at, name, timezone, place, hold_seconds,
                                        refund_until_hours_before FROM inventories
                                 WHERE event_id = $3::uuid) i) AS event,
    EXISTS (SELECT 1 FROM orders WHERE event_id = $3::uuid AND status = 'awaiting_payment' AND expires_at <= now())
      AS expired_holds,
    (SELECT json_agg(json_build_object('tier_id', t.tier_id, 'name', t.name, 'price', t.price,
                                       'currency', t.currency, 'open', t.open, 'slots',
               (SELECT coalesce(json_agg(json_build_array(s.slot, s.quantity - s.sold) ORDER BY s.slot), '[]')
                FROM tier_slots s WHERE s.tier_id = t.tier_id AND s.open AND s.sold < s.quantity))
             ORDER BY t.position)
       FROM tiers t WHERE t.event_id = $3::uuid) AS tiers`;

// The key's lock, the decrements (never below zero; at the price read) and every row of the order, in one statement:
// the rows are written only when every slot could be decremented.
const WRITE = `WITH lock AS MATERIALIZED (
     SELECT true AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($2::uuid::text), hashtext($23::text))) l),
   seats AS (
     UPDATE tier_slots s SET sold = s.sold + v.take
     FROM unnest($26::uuid[], $27::smallint[], $28::int[], $29::bigint[]) AS v(tier_id, slot, take, price), tiers t
     WHERE (SELECT locked FROM lock) AND s.tier_id = v.tier_id AND s.slot = v.slot AND s.open
       AND s.sold + v.take <= s.quantity AND t.tier_id = v.tier_id AND t.event_id = $5 AND t.price = v.price
     RETURNING s.tier_id),
   ok AS (SELECT count(*) = cardinality($26::uuid[]) AS ok FROM seats),
   o AS (
     INSERT INTO orders (id, user_id, buyer_email, buyer_first_name, event_id, status, total, currency,
                         event_name, event_starts_at, event_ends_at, event_timezone, event_place, created_at,
                         expires_at, placed_at, refund_hours_before)
     SELECT $1, $2, $3, $4, $5, $31, $6, $7, $8, $9, $10, $11, $12, $13,
            $32, CASE WHEN $31 = 'confirmed' THEN $13::timestamptz END, $33 FROM ok WHERE ok),
   i AS (
     INSERT INTO order_items (order_id, tier_id, tier_name, quantity, unit_price)
     SELECT $1, x.* FROM unnest($14::uuid[], $15::text[], $16::int[], $17::bigint[]) AS x, ok WHERE ok.ok),
   tk AS (
     INSERT INTO tickets (id, order_id, tier_id, code, status, created_at)
     SELECT x.id, $1, x.tier_id, x.code, 'valid', $13
     FROM unnest($18::uuid[], $19::uuid[], $20::text[]) AS x(id, tier_id, code), ok WHERE ok.ok),
   m AS (INSERT INTO outbox (id, destination, envelope) SELECT $21, $30, $22 FROM ok WHERE ok AND $21::uuid IS NOT NULL),
   k AS (
     INSERT INTO idempotency_keys (user_id, key, request_hash, status, response_status, response_body)
     SELECT $2, $23, $24, 'done', 201, $25 FROM ok WHERE ok)
   SELECT ok.ok FROM ok`;

const TICKET_EVENTS = destinationKey({ topic: TICKET_EVENTS_TOPIC });

function writeValues({ order, message, buyer, event, idempotencyKey, requestHash, takes }: PurchaseWrite) {
  return [
    order.id,
    buyer.userId,
    buyer.email,
    buyer.firstName,
    order.event.id,
    order.total,
    order.currency,
    event.name,
    event.startsAt,
    event.endsAt,
    event.timezone,
    event.place,
    order.createdAt,
    order.items.map((item) => item.tierId),
    order.items.map((item) => item.tierName),
    order.items.map((item) => item.quantity),
    order.items.map((item) => item.unitPrice),
    order.tickets.map((ticket) => ticket.id),
    order.tickets.map((ticket) => ticket.tierId),
    order.tickets.map((ticket) => ticket.code),
    message?.id ?? null,
    message ? JSON.stringify(message) : null,
    idempotencyKey,
    requestHash,
    JSON.stringify(order),
    takes.map((take) => take.tierId),
    takes.map((take) => take.slot),
    takes.map((take) => take.take),
    takes.map((take) => take.price),
    TICKET_EVENTS,
    order.status,
    order.expiresAt,
    event.refundUntilHoursBefore,
  ];
}

interface WriteOutcome {
  ok: boolean;
}

export function pgPurchaseStore(pool: () => Promise<pg.Pool>): PurchaseStore {
  return {
    async read(input) {
      const { rows } = await (await pool()).query<SnapshotRow>({
        name: 'tickets-purchase-read',
        text: READ,
        values: [input.buyer.userId, input.idempotencyKey, input.eventId],
      });
      const row = rows[0] as SnapshotRow;
      const { event } = row;
      return {
        keyFree: row.locked,
        buyerErased: row.erased,
        stored: row.existing && { requestHash: row.existing.request_hash, order: row.existing.response_body },
        event: event && {
          status: event.status,
          startsAt: event.starts_at,
          endsAt: event.ends_at,
          name: event.name,
          timezone: event.timezone,
          place: event.place,
          holdSeconds: event.hold_seconds,
          refundUntilHoursBefore: event.refund_until_hours_before,
        },
        expiredHolds: row.expired_holds,
        tiers: (row.tiers ?? []).map((tier) => ({
          tierId: tier.tier_id,
          name: tier.name,
          price: Number(tier.price),
          currency: tier.currency,
          open: tier.open,
          slots: tier.slots.map(([slot, remaining]) => ({ slot, remaining })),
        })),
      } satisfies PurchaseSnapshot;
    },

    async write(write) {
      const statement: pg.QueryConfig = {
        name: 'tickets-purchase-write',
        text: WRITE,
        values: writeValues(write),
      };
      const db = await pool();
      try {
        const outcome =
          write.takes.length === 1
            ? (await db.query<WriteOutcome>(statement)).rows[0]
            : await withTransaction(
                db,
                async (client) => (await client.query<WriteOutcome>(statement)).rows[0],
                {
                  pipelined: true,
                  commitWhen: (written) => written?.ok === true,
                },
              );
        return outcome?.ok ? 'written' : 'lost-race';
      } catch (error) {
        if (isUniqueViolation(error, 'idempotency_keys_pkey')) return 'key-taken';
        throw error;
      }
    },

    async stored(userId, key) {
      const { rows } = await (await pool()).query<{ request_hash: string; response_body: Order }>(
        'SELECT request_hash, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2',
        [userId, key],
      );
      const row = rows[0];
      return row ? { requestHash: row.request_hash, order: row.response_body } : null;
    },

    async remaining(eventId) {
      const { rows } = await (await pool()).query<{ tier_id: string; remaining: number; open: boolean }>(
        `SELECT t.tier_id, t.quantity - t.sold + coalesce(h.seats, 0) AS remaining, t.open
         FROM tier_stock t LEFT JOIN (${expiredHoldSeats('o.event_id = $1')}) h ON h.tier_id = t.tier_id
         WHERE t.event_id = $1 ORDER BY t.position`,
        [eventId],
      );
      return rows.map(
        (row): TierRemaining => ({ tierId: row.tier_id, remaining: row.open ? row.remaining : 0 }),
      );
    },

    async releaseExpired(eventId) {
      return (await releaseExpiredHolds(await pool(), { eventId })).length;
    },

    async expireKeys(hours) {
      const result = await (await pool()).query(
        'DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)',
        [hours],
      );
      return result.rowCount ?? 0;
    },
  };
}
