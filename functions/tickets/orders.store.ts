// SQL for purchases and cancellations (parameterised only). A purchase writes in one atomic step: a conditional
// decrement of the tier slots it takes seats from (never below zero), the order, one ticket per seat, the outbox
// message and the idempotency record. Cancellations return seats in the same transaction that cancels the order.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  type OrderCancelledV1,
  TicketMessageTypes,
  type TicketPurchasedV1,
} from '../../events/contracts/tickets';
import { withTransaction } from '../../layers/common/db';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../layers/common/errors';
import { type Envelope, envelope } from '../../layers/common/messages';
import { cancellable, orderTotal, type PricedItem, requestFingerprint, ticketCode } from './orders';
import type { Order, PurchaseRequest } from './schemas';
import { planSlots, returnSeats, type SlotTake } from './slots';

export interface Buyer {
  userId: string;
  email: string;
  firstName: string;
}

export interface PurchaseInput {
  buyer: Buyer;
  eventId: string;
  request: PurchaseRequest;
  idempotencyKey: string;
  correlationId: string;
}

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed: boolean;
  /** The TicketPurchased message to publish after commit (new orders only). */
  message?: Envelope;
}

const TOPIC = 'topic:ticket-events';
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The answer stored under the key by a request whose write met this one's on the key (it committed first): replay
 * it rather than answer differently.
 */
async function replayStored(
  pool: pg.Pool,
  input: PurchaseInput,
  fingerprint: string,
): Promise<StoredResponse> {
  const { rows } = await pool.query<{
    request_hash: string;
    response_status: number;
    response_body: unknown;
  }>(
    'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2',
    [input.buyer.userId, input.idempotencyKey],
  );
  const stored = rows[0];
  if (!stored) throw keyInUse();
  if (stored.request_hash !== fingerprint) throw keyReused();
  return { status: stored.response_status, body: stored.response_body, replayed: true };
}

const keyInUse = () =>
  new ConflictError(
    'A purchase with this Idempotency-Key is still in progress; retry shortly.',
    'idempotency-key-in-use',
  );
const keyReused = () =>
  new AppError(
    422,
    'idempotency-key-reused',
    'Idempotency-Key reused',
    'This Idempotency-Key was used for a different purchase.',
  );

/**
 * Sends the queries together (service pools pipeline: one round trip) and waits for every answer, so nothing is
 * still in flight on the client when it goes back to the pool; the first failure is then thrown.
 */
async function together<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}

const isKeyConflict = (error: unknown) =>
  (error as { code?: string; constraint?: string })?.code === '23505' &&
  (error as { constraint?: string }).constraint === 'idempotency_keys_pkey';

/** A refusal (409) as the handler answers it. It changes nothing, so it is not stored under the key. */
const refusal = (input: PurchaseInput, error: AppError): StoredResponse => ({
  status: error.status,
  body: error.toProblem(`/v1/events/${input.eventId}/orders`),
  replayed: false,
});

interface PurchaseState {
  locked: boolean;
  existing: { request_hash: string; response_status: number; response_body: unknown } | null;
  event: {
    status: string;
    starts_at: string;
    ends_at: string;
    name: string;
    timezone: string;
    place: string;
  } | null;
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

/** How many times a purchase reads and plans again after another buyer took the seats of the slot it chose. */
const PLANS = 8;

/**
 * Buys the request's seats: an attempt reads the tiers' slots, takes the seats from one of them (or a few), and
 * when another buyer emptied that slot in between, reads and plans again. Only a read that shows too few seats
 * left answers sold out; when every attempt lost its race although seats remain, the answer says to retry.
 */
export async function purchase(
  pool: pg.Pool,
  input: PurchaseInput,
  now = new Date(),
): Promise<StoredResponse> {
  const fingerprint = requestFingerprint(input.eventId, input.request);
  const items = [...input.request.items].sort((a, b) => compare(a.tierId, b.tierId));
  for (let attempt = 1; ; attempt += 1) {
    const result = await attemptPurchase(pool, input, now, fingerprint, items, attempt === PLANS);
    if (result !== 'lost-race') return result;
  }
}

/**
 * One attempt, shaped for a flash sale, in two statements and no more:
 * - One read without locks and outside any transaction answers most buyers: a replay, a refusal (sold out, not on
 *   sale), a 400 or a 422, holding a connection for that one round trip. A request whose key is held by a write
 *   still running gets 409 (the read tries the key's advisory lock).
 * - Buyers with seats to take then write in one statement: it takes the key's advisory lock (waiting for a write
 *   with the same key, whose committed answer it then replays), decrements the chosen
 *   slot rows (never below zero) and writes the order, its tickets, the outbox message and the idempotency record.
 *   With the seats from one slot, the statement commits on its own, so the slot row is locked only for the statement
 *   and its commit, never for a round trip to this function. Seats from several slots go in a transaction: one slot
 *   may fall short when another does not, and only a ROLLBACK undoes the other's decrement.
 */
async function attemptPurchase(
  pool: pg.Pool,
  input: PurchaseInput,
  now: Date,
  fingerprint: string,
  items: PurchaseRequest['items'],
  lastChance: boolean,
): Promise<StoredResponse | 'lost-race'> {
  const { rows } = await pool.query<PurchaseState>({
    name: 'tickets-purchase-read',
    text: `SELECT pg_try_advisory_xact_lock(hashtext($1::uuid::text), hashtext($2::text)) AS locked,
        (SELECT row_to_json(k) FROM (SELECT request_hash, response_status, response_body FROM idempotency_keys
                                     WHERE user_id = $1::uuid AND key = $2::text) k) AS existing,
        (SELECT row_to_json(i) FROM (SELECT status, starts_at, ends_at, name, timezone, place FROM inventories
                                     WHERE event_id = $3::uuid) i) AS event,
        (SELECT json_agg(json_build_object('tier_id', t.tier_id, 'name', t.name, 'price', t.price,
                                           'currency', t.currency, 'open', t.open, 'slots',
                   (SELECT coalesce(json_agg(json_build_array(s.slot, s.quantity - s.sold) ORDER BY s.slot), '[]')
                    FROM tier_slots s WHERE s.tier_id = t.tier_id AND s.open AND s.sold < s.quantity))
                 ORDER BY t.position)
           FROM tiers t WHERE t.event_id = $3::uuid) AS tiers`,
    values: [input.buyer.userId, input.idempotencyKey, input.eventId],
  });
  const state = rows[0] as PurchaseState;
  if (state.existing) {
    if (state.existing.request_hash !== fingerprint) throw keyReused();
    return { status: state.existing.response_status, body: state.existing.response_body, replayed: true };
  }
  if (!state.locked) throw keyInUse();

  const event = state.event;
  if (event?.status !== 'on_sale' || new Date(event.starts_at).getTime() <= now.getTime()) {
    const why = !event
      ? 'is not on sale (it may be a draft)'
      : event.status === 'cancelled'
        ? 'was cancelled'
        : 'has already started';
    return refusal(input, new ConflictError(`This event ${why}.`, 'not-on-sale'));
  }
  const tiers = new Map((state.tiers ?? []).map((tier) => [tier.tier_id, tier]));
  const unknown = input.request.items.findIndex((item) => !tiers.has(item.tierId));
  if (unknown >= 0) {
    throw new ValidationError([
      { in: 'body', field: `items.${unknown}.tierId`, message: 'This event has no such ticket tier' },
    ]);
  }
  const soldOut = (remaining: { tierId: string; remaining: number }[]) =>
    refusal(input, new ConflictError('Not enough tickets left for this order.', 'sold-out', { remaining }));
  // Which slots each item takes its seats from. After a sell-out every buyer stops here.
  const plans = items.map((item) => {
    const tier = tiers.get(item.tierId);
    return tier?.open
      ? planSlots(
          tier.slots.map(([slot, remaining]) => ({ slot, remaining })),
          item.quantity,
        )
      : undefined;
  });
  if (plans.some((plan) => plan === undefined)) {
    return soldOut(
      (state.tiers ?? []).map((tier) => ({
        tierId: tier.tier_id,
        remaining: tier.open ? tier.slots.reduce((sum, [, left]) => sum + left, 0) : 0,
      })),
    );
  }
  const takes = items.flatMap((item, index) =>
    (plans[index] as SlotTake[]).map((take) => ({
      tierId: item.tierId,
      price: Number(tiers.get(item.tierId)?.price),
      ...take,
    })),
  );

  const priced: PricedItem[] = items.map((item) => {
    const tier = tiers.get(item.tierId);
    return {
      tierId: item.tierId,
      tierName: tier?.name ?? '',
      quantity: item.quantity,
      unitPrice: Number(tier?.price),
      currency: tier?.currency ?? '',
    };
  });
  const { total, currency } = orderTotal(priced);
  const orderId = randomUUID();
  const tickets = priced
    .flatMap((item) =>
      Array.from({ length: item.quantity }, () => ({
        id: randomUUID(),
        tierId: item.tierId,
        tierName: item.tierName,
        code: ticketCode(),
      })),
    )
    // The same order as reads return them: by tier, then ticket id.
    .sort((a, b) => (a.tierId === b.tierId ? compare(a.id, b.id) : compare(a.tierId, b.tierId)));
  const snapshot = {
    name: event.name,
    startsAt: new Date(event.starts_at).toISOString(),
    endsAt: new Date(event.ends_at).toISOString(),
    timezone: event.timezone,
    place: event.place,
  };
  const createdAt = now.toISOString();
  const body: Order = {
    id: orderId,
    status: 'confirmed',
    event: { id: input.eventId, ...snapshot },
    items: priced.map(({ tierId, tierName, quantity, unitPrice }) => ({
      tierId,
      tierName,
      quantity,
      unitPrice,
    })),
    total,
    currency,
    refund: null,
    tickets: tickets.map((ticket) => ({ ...ticket, status: 'valid' as const })),
    createdAt,
    cancelledAt: null,
  };
  const { type, version } = TicketMessageTypes.TicketPurchased;
  const data: TicketPurchasedV1 = {
    orderId,
    eventId: input.eventId,
    buyer: input.buyer,
    event: snapshot,
    items: body.items,
    tickets: tickets.map(({ id, tierId, tierName, code }) => ({ id, tierId, tierName, code })),
    total,
    currency,
  };
  const message = envelope('tickets', type, version, data, input.correlationId);
  // The key's lock, the decrements (never below zero; at the price read above) and every row of the order, in
  // one statement: the rows are written only when every slot could be decremented.
  const write: pg.QueryConfig = {
    name: 'tickets-purchase-write',
    text: `WITH lock AS MATERIALIZED (
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
                             event_name, event_starts_at, event_ends_at, event_timezone, event_place, created_at)
         SELECT $1, $2, $3, $4, $5, 'confirmed', $6, $7, $8, $9, $10, $11, $12, $13 FROM ok WHERE ok),
       i AS (
         INSERT INTO order_items (order_id, tier_id, tier_name, quantity, unit_price)
         SELECT $1, x.* FROM unnest($14::uuid[], $15::text[], $16::int[], $17::bigint[]) AS x, ok WHERE ok.ok),
       tk AS (
         INSERT INTO tickets (id, order_id, tier_id, code, status, created_at)
         SELECT x.id, $1, x.tier_id, x.code, 'valid', $13
         FROM unnest($18::uuid[], $19::uuid[], $20::text[]) AS x(id, tier_id, code), ok WHERE ok.ok),
       m AS (INSERT INTO outbox (id, destination, envelope) SELECT $21, '${TOPIC}', $22 FROM ok WHERE ok),
       k AS (
         INSERT INTO idempotency_keys (user_id, key, request_hash, status, response_status, response_body)
         SELECT $2, $23, $24, 'done', 201, $25 FROM ok WHERE ok)
       SELECT ok.ok FROM ok`,
    values: [
      orderId,
      input.buyer.userId,
      input.buyer.email,
      input.buyer.firstName,
      input.eventId,
      total,
      currency,
      event.name,
      event.starts_at,
      event.ends_at,
      event.timezone,
      event.place,
      createdAt,
      priced.map((item) => item.tierId),
      priced.map((item) => item.tierName),
      priced.map((item) => item.quantity),
      priced.map((item) => item.unitPrice),
      tickets.map((ticket) => ticket.id),
      tickets.map((ticket) => ticket.tierId),
      tickets.map((ticket) => ticket.code),
      message.id,
      JSON.stringify(message),
      input.idempotencyKey,
      fingerprint,
      JSON.stringify(body),
      takes.map((take) => take.tierId),
      takes.map((take) => take.slot),
      takes.map((take) => take.take),
      takes.map((take) => take.price),
    ],
  };
  let written: WriteOutcome | undefined;
  try {
    written =
      takes.length === 1
        ? (await pool.query<WriteOutcome>(write)).rows[0]
        : await writeAcrossSlots(pool, write);
  } catch (error) {
    if (!isKeyConflict(error)) throw error;
    // Another request with this key committed first: its answer is the answer.
    return replayStored(pool, input, fingerprint);
  }
  if (written?.ok) return { status: 201, body, replayed: false, message };
  // Another buyer took the seats of a chosen slot between the read and the write (or the price changed, or the
  // tier closed): nothing was written. Read and plan again; on the last attempt, answer with what is left now.
  if (!lastChance) return 'lost-race';
  const { rows: left } = await pool.query<{ tier_id: string; remaining: number; open: boolean }>(
    'SELECT tier_id, quantity - sold AS remaining, open FROM tier_stock WHERE event_id = $1 ORDER BY position',
    [input.eventId],
  );
  const remaining = left.map((row) => ({ tierId: row.tier_id, remaining: row.open ? row.remaining : 0 }));
  const enough = items.every(
    (item) => (remaining.find((tier) => tier.tierId === item.tierId)?.remaining ?? 0) >= item.quantity,
  );
  if (!enough) return soldOut(remaining);
  return refusal(
    input,
    new ConflictError(
      'Many buyers are taking the last seats of this tier at once; retry with the same Idempotency-Key.',
      'seats-contended',
      { remaining },
    ),
  );
}

interface WriteOutcome {
  ok: boolean;
}

/** Seats from several slots: their decrements and the order commit together, or none of them does. */
async function writeAcrossSlots(pool: pg.Pool, write: pg.QueryConfig): Promise<WriteOutcome | undefined> {
  const client = await pool.connect();
  let open = true;
  try {
    // BEGIN goes out with the statement (the pool pipelines): one round trip, then the COMMIT or ROLLBACK.
    const [, result] = await together(client.query('BEGIN'), client.query<WriteOutcome>(write));
    const outcome = result.rows[0];
    open = false;
    await client.query(outcome?.ok ? 'COMMIT' : 'ROLLBACK');
    return outcome;
  } catch (error) {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

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

export function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    status: row.status,
    event: { id: row.event_id, ...eventSnapshotOf(row) },
    items: (row.items ?? []).map((item) => ({
      tierId: item.tier_id,
      tierName: item.tier_name,
      quantity: item.quantity,
      unitPrice: Number(item.unit_price),
    })),
    total: Number(row.total),
    currency: row.currency,
    refund: row.refund === null ? null : Number(row.refund),
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

/**
 * Cancels one order inside the caller's transaction: seats go back to their tiers, tickets are voided, the full
 * price is refunded, and OrderCancelled goes to the outbox. The order row must be locked by the caller.
 */
async function cancelLocked(
  client: pg.PoolClient,
  row: OrderRow,
  reason: OrderCancelledV1['reason'],
  correlationId: string,
) {
  // The seats go back to the slots that sold the most of each tier (an order does not keep its slots). Only the
  // slots written are locked, so buyers of the other slots are not held up: each round reads without locks, and
  // a slot that another cancellation emptied meanwhile is skipped and its share planned again in the next round.
  const owed = new Map<string, number>();
  for (const item of row.items) owed.set(item.tier_id, (owed.get(item.tier_id) ?? 0) + item.quantity);
  for (let round = 0; [...owed.values()].some((quantity) => quantity > 0); round += 1) {
    if (round === 20) throw new Error(`could not give back the seats of order ${row.id}`);
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
  await client.query(`UPDATE tickets SET status = 'void' WHERE order_id = $1`, [row.id]);
  await client.query(
    `UPDATE orders SET status = 'cancelled', refund = total, cancel_reason = $2, cancelled_at = now() WHERE id = $1`,
    [row.id, reason],
  );
  const { type, version } = TicketMessageTypes.OrderCancelled;
  const data: OrderCancelledV1 = {
    orderId: row.id,
    eventId: row.event_id,
    buyer: { userId: row.user_id, email: row.buyer_email, firstName: row.buyer_first_name },
    event: eventSnapshotOf(row),
    refund: Number(row.total),
    currency: row.currency,
    reason,
  };
  const message = envelope('tickets', type, version, data, correlationId);
  await client.query('INSERT INTO outbox (id, destination, envelope) VALUES ($1, $2, $3)', [
    message.id,
    TOPIC,
    JSON.stringify(message),
  ]);
}

export async function cancelOrder(
  pool: pg.Pool,
  orderId: string,
  userId: string,
  correlationId: string,
  now = new Date(),
): Promise<Order> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<OrderRow>(
      `${ORDER_SELECT} WHERE o.id = $1 AND o.user_id = $2 FOR UPDATE OF o`,
      [orderId, userId],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError('No such order.');
    const verdict = cancellable({ status: row.status, eventStartsAt: row.event_starts_at }, now);
    if (verdict === 'already-cancelled')
      throw new ConflictError('This order is already cancelled.', 'already-cancelled');
    if (verdict === 'event-started')
      throw new ConflictError(
        'The event has started; its orders can no longer be cancelled.',
        'event-started',
      );
    await cancelLocked(client, row, 'customer', correlationId);
    const cancelled = await findOrder(client, orderId, userId);
    if (!cancelled) throw new Error('order vanished inside its own transaction');
    return cancelled;
  });
}

/** Cancels up to `batch` confirmed orders of a cancelled event; returns how many. Call until it returns 0. */
export async function cancelOrdersOfEvent(
  pool: pg.Pool,
  eventId: string,
  correlationId: string,
  batch = 200,
): Promise<number> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<OrderRow>(
      `${ORDER_SELECT} WHERE o.event_id = $1 AND o.status <> 'cancelled' ORDER BY o.created_at, o.id LIMIT $2 FOR UPDATE OF o SKIP LOCKED`,
      [eventId, batch],
    );
    for (const row of rows) await cancelLocked(client, row, 'event-cancelled', correlationId);
    return rows.length;
  });
}
