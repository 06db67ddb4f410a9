// The purchase, decided: from what one read of the database shows (the key, the event, each tier's slots), which
// answer a buyer gets, and for a sale the order, its TicketPurchased message and the rows to write. No SQL, no AWS;
// the store reads and writes, the handler turns the outcome into HTTP.
import { TicketMessageTypes, type TicketPurchasedV1 } from '../../events/contracts/tickets';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { Buyer } from './model';
import { orderTotal, type PricedItem, refundableUntil, requestFingerprint, ticketCode } from './orders';
import type { Order, PurchaseRequest } from './schemas';
import { planSlots, type SlotLeft, type SlotTake } from './slots';

/** Keys are kept this long: the promise to clients is that a retry within 24 hours replays. */
export const IDEMPOTENCY_KEY_RETENTION_HOURS = 48;
/** How many times a purchase reads and plans again after another buyer took the seats of the slot it chose. */
export const PURCHASE_PLANS = 8;

export interface PurchaseInput {
  buyer: Buyer;
  eventId: string;
  request: PurchaseRequest;
  idempotencyKey: string;
  correlationId: string;
}

/** The event as its inventory describes it; instants as the database wrote them. */
export interface EventOnSale {
  status: string;
  startsAt: string;
  endsAt: string;
  name: string;
  timezone: string;
  place: string;
  /** How long a paid order holds its seats while the buyer pays (the organizer's setting). */
  holdSeconds: number;
  /** Refunds on the buyer's cancellation until this many hours before the start; null: none. */
  refundUntilHoursBefore: number | null;
}

export interface TierOnSale {
  tierId: string;
  name: string;
  price: number;
  currency: string;
  open: boolean;
  /** The open slots that have seats left. */
  slots: SlotLeft[];
}

/** What the purchase's one read shows. */
export interface PurchaseSnapshot {
  /** No write with this key is running (the read could take the key's lock). */
  keyFree: boolean;
  /** The order an earlier request with this key created. */
  stored: { requestHash: string; order: Order } | null;
  event: EventOnSale | null;
  /** In display order. */
  tiers: TierOnSale[];
  /** Some holds of this event have expired but still sit in the slots (the sweep has not released them yet). */
  expiredHolds: boolean;
  /** The buyer's account was deleted (its access token may still be valid for minutes). */
  buyerErased?: boolean;
}

export interface TierRemaining {
  tierId: string;
  remaining: number;
}

export type NotOnSale = 'not-published' | 'cancelled' | 'started';

/** Every answer a purchase can get. */
export type PurchaseOutcome =
  | { kind: 'sold'; order: Order; message?: Envelope; seats: number }
  | { kind: 'replayed'; order: Order }
  | { kind: 'not-on-sale'; why: NotOnSale }
  | { kind: 'refused'; reason: 'sold-out' | 'seats-contended'; remaining: TierRemaining[] }
  | { kind: 'unknown-tier'; index: number }
  | { kind: 'key-in-use' }
  | { kind: 'key-reused' }
  | { kind: 'account-deleted' };

/** A sale, as rows: the store writes all of them only if every take still fits its slot. */
export interface PurchaseWrite {
  order: Order;
  /** TicketPurchased of a confirmed (free) order; a held order announces nothing until it is paid. */
  message?: Envelope<TicketPurchasedV1>;
  buyer: Buyer;
  event: EventOnSale;
  idempotencyKey: string;
  requestHash: string;
  /** Seats taken per tier slot, at the price the order was built with. */
  takes: (SlotTake & { tierId: string; price: number })[];
}

export type PurchaseDecision =
  | Exclude<PurchaseOutcome, { kind: 'sold' }>
  | { kind: 'write'; write: PurchaseWrite };

/** What a decision needs from outside: the clock and sources of ids, codes and randomness (tests fix them). */
export interface PurchaseEnv {
  /** Adds each ticket's signed QR payload to a TicketPurchased message (qr-message.ts); absent, tickets carry none. */
  signTickets?: (data: TicketPurchasedV1) => Promise<TicketPurchasedV1>;
  now: Date;
  newId: () => string;
  ticketCode?: () => string;
  random?: () => number;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Seats per tier still for sale; a closed tier has none. */
export const remainingOf = (tiers: TierOnSale[]): TierRemaining[] =>
  tiers.map((tier) => ({
    tierId: tier.tierId,
    remaining: tier.open ? tier.slots.reduce((sum, slot) => sum + slot.remaining, 0) : 0,
  }));

function notOnSale(event: EventOnSale | null, now: Date): NotOnSale | undefined {
  if (!event) return 'not-published';
  if (event.status === 'cancelled') return 'cancelled';
  if (event.status !== 'on_sale') return 'not-published';
  if (new Date(event.startsAt).getTime() <= now.getTime()) return 'started';
  return undefined;
}

/**
 * The answer the read allows: a replay (or a refusal of a reused key), a busy key, not on sale, an unknown tier,
 * sold out, or the rows of a sale with the slots each item takes its seats from.
 */
export function decidePurchase(
  snapshot: PurchaseSnapshot,
  input: PurchaseInput,
  env: PurchaseEnv,
): PurchaseDecision {
  const requestHash = requestFingerprint(input.eventId, input.request);
  if (snapshot.buyerErased) return { kind: 'account-deleted' };
  if (snapshot.stored) {
    return snapshot.stored.requestHash === requestHash
      ? { kind: 'replayed', order: snapshot.stored.order }
      : { kind: 'key-reused' };
  }
  if (!snapshot.keyFree) return { kind: 'key-in-use' };
  const why = notOnSale(snapshot.event, env.now);
  if (why || !snapshot.event) return { kind: 'not-on-sale', why: why ?? 'not-published' };

  const tiers = new Map(snapshot.tiers.map((tier) => [tier.tierId, tier]));
  const unknown = input.request.items.findIndex((item) => !tiers.has(item.tierId));
  if (unknown >= 0) return { kind: 'unknown-tier', index: unknown };

  const items = [...input.request.items].sort((a, b) => compare(a.tierId, b.tierId));
  const takes: PurchaseWrite['takes'] = [];
  for (const item of items) {
    const tier = tiers.get(item.tierId) as TierOnSale;
    const plan = tier.open ? planSlots(tier.slots, item.quantity, env.random) : undefined;
    // After a sell-out every buyer stops here.
    if (!plan) return { kind: 'refused', reason: 'sold-out', remaining: remainingOf(snapshot.tiers) };
    for (const take of plan) takes.push({ tierId: tier.tierId, price: tier.price, ...take });
  }
  const priced: PricedItem[] = items.map((item) => {
    const tier = tiers.get(item.tierId) as TierOnSale;
    return {
      tierId: item.tierId,
      tierName: tier.name,
      quantity: item.quantity,
      unitPrice: tier.price,
      currency: tier.currency,
    };
  });
  const { order, message } = buildOrder(priced, snapshot.event, input, env);
  return {
    kind: 'write',
    write: {
      order,
      message,
      buyer: input.buyer,
      event: snapshot.event,
      idempotencyKey: input.idempotencyKey,
      requestHash,
      takes,
    },
  };
}

/**
 * The order of these items: a free one confirmed at once with one ticket per seat and the TicketPurchased message
 * announcing it; a paid one awaiting payment, holding its seats for the hold time, with no tickets and no message yet.
 */
export function buildOrder(
  priced: PricedItem[],
  event: EventOnSale,
  input: Pick<PurchaseInput, 'buyer' | 'eventId' | 'correlationId'>,
  env: PurchaseEnv,
): { order: Order; message?: Envelope<TicketPurchasedV1> } {
  const { total, currency } = orderTotal(priced);
  const held: Order = {
    id: env.newId(),
    status: 'awaiting_payment',
    expiresAt: new Date(env.now.getTime() + event.holdSeconds * 1000).toISOString(),
    payment: null,
    event: {
      id: input.eventId,
      name: event.name,
      startsAt: new Date(event.startsAt).toISOString(),
      endsAt: new Date(event.endsAt).toISOString(),
      timezone: event.timezone,
      place: event.place,
    },
    items: priced.map(({ tierId, tierName, quantity, unitPrice }) => ({
      tierId,
      tierName,
      quantity,
      unitPrice,
    })),
    total,
    currency,
    refundableUntil:
      refundableUntil({
        total,
        eventStartsAt: new Date(event.startsAt),
        refundHoursBefore: event.refundUntilHoursBefore,
      })?.toISOString() ?? null,
    refund: null,
    tickets: [],
    createdAt: env.now.toISOString(),
    cancelledAt: null,
  };
  return total > 0 ? { order: held } : confirmOrder(held, input, env);
}

/** The order confirmed: one ticket per seat, and the TicketPurchased message announcing it. */
export function confirmOrder(
  order: Order,
  input: Pick<PurchaseInput, 'buyer' | 'correlationId'>,
  env: Pick<PurchaseEnv, 'newId' | 'ticketCode'>,
): { order: Order; message: Envelope<TicketPurchasedV1> } {
  const codeOf = env.ticketCode ?? ticketCode;
  const tickets = order.items
    .flatMap((item) =>
      Array.from({ length: item.quantity }, () => ({
        id: env.newId(),
        tierId: item.tierId,
        tierName: item.tierName,
        code: codeOf(),
      })),
    )
    // The same order as reads return them: by tier, then ticket id.
    .sort((a, b) => compare(a.tierId, b.tierId) || compare(a.id, b.id));
  const confirmed: Order = {
    ...order,
    status: 'confirmed',
    expiresAt: null,
    payment: null,
    tickets: tickets.map((ticket) => ({ ...ticket, status: 'valid' as const })),
  };
  const { id: eventId, ...snapshot } = order.event;
  const { type, version } = TicketMessageTypes.TicketPurchased;
  const data: TicketPurchasedV1 = {
    orderId: order.id,
    eventId,
    buyer: input.buyer,
    event: snapshot,
    items: order.items,
    tickets,
    total: order.total,
    currency: order.currency,
    ...(order.total > 0 ? { refundableUntil: order.refundableUntil } : {}),
  };
  return { order: confirmed, message: envelope('tickets', type, version, data, input.correlationId) };
}

/**
 * The answer after every attempt lost its race for the slots it chose: sold out if what remains now cannot serve the
 * order, otherwise a request to retry (seats remain; other buyers were quicker this time).
 */
export function afterLostRaces(
  items: PurchaseRequest['items'],
  remaining: TierRemaining[],
): Extract<PurchaseOutcome, { kind: 'refused' }> {
  const left = new Map(remaining.map((tier) => [tier.tierId, tier.remaining]));
  const enough = items.every((item) => (left.get(item.tierId) ?? 0) >= item.quantity);
  return { kind: 'refused', reason: enough ? 'seats-contended' : 'sold-out', remaining };
}

/** The database side of a purchase: one read, one write, and what a lost write needs to answer. */
export interface PurchaseStore {
  read(input: PurchaseInput): Promise<PurchaseSnapshot>;
  /**
   * Writes the sale in one step, or nothing: `lost-race` when a slot no longer holds its take (or the price
   * changed, or the tier closed), `key-taken` when a request with the same key committed first.
   */
  write(write: PurchaseWrite): Promise<'written' | 'lost-race' | 'key-taken'>;
  /** The order stored under the key, with the fingerprint of the request that created it. */
  stored(userId: string, key: string): Promise<PurchaseSnapshot['stored']>;
  remaining(eventId: string): Promise<TierRemaining[]>;
  /** Releases the event's expired holds (their seats go back on sale); returns how many. */
  releaseExpired(eventId: string): Promise<number>;
  /** Forgets keys older than `hours`; returns how many. */
  expireKeys(hours: number): Promise<number>;
}

/**
 * Buys the request's seats: an attempt reads the tiers' slots, takes the seats from one of them (or a few), and
 * when another buyer emptied that slot in between, reads and plans again. Only a read that shows too few seats
 * left answers sold out; when every attempt lost its race although seats remain, the answer says to retry.
 */
export async function purchase(
  store: PurchaseStore,
  input: PurchaseInput,
  env: PurchaseEnv,
): Promise<PurchaseOutcome> {
  let released = false;
  for (let attempt = 1; attempt <= PURCHASE_PLANS; attempt += 1) {
    const snapshot = await store.read(input);
    const decision = decidePurchase(snapshot, input, env);
    if (decision.kind === 'refused' && snapshot.expiredHolds && !released) {
      // Expired holds are free seats: release them (the sweep may not have come yet) and plan again.
      released = true;
      await store.releaseExpired(input.eventId);
      attempt -= 1;
      continue;
    }
    if (decision.kind !== 'write') return decision;
    const { message } = decision.write;
    if (message && env.signTickets)
      decision.write.message = { ...message, data: await env.signTickets(message.data) };
    const written = await store.write(decision.write);
    if (written === 'written') {
      const { order, message } = decision.write;
      const seats = order.items.reduce((sum, item) => sum + item.quantity, 0);
      return { kind: 'sold', order, message, seats };
    }
    if (written === 'key-taken') {
      // Another request with this key committed first: its answer is the answer.
      const stored = await store.stored(input.buyer.userId, input.idempotencyKey);
      if (!stored) return { kind: 'key-in-use' };
      return stored.requestHash === decision.write.requestHash
        ? { kind: 'replayed', order: stored.order }
        : { kind: 'key-reused' };
    }
  }
  return afterLostRaces(input.request.items, await store.remaining(input.eventId));
}
