// The purchase decision on its own: which answer a read allows, what a sale writes, and that no plan ever takes more
// seats than its slots hold, whatever the tiers, the order and the other buyers racing for the same slots.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterLostRaces,
  decidePurchase,
  type EventOnSale,
  PURCHASE_PLANS,
  type PurchaseInput,
  type PurchaseSnapshot,
  type PurchaseStore,
  type PurchaseWrite,
  purchase,
  type TierOnSale,
} from '../../../functions/tickets/purchasing';

const NOW = new Date('2026-06-01T10:00:00Z');
const env = { now: NOW, newId: randomUUID };
const EVENT: EventOnSale = {
  status: 'on_sale',
  startsAt: '2026-07-01T18:00:00+00:00',
  endsAt: '2026-07-01T21:00:00+00:00',
  name: 'Show',
  timezone: 'Europe/Paris',
  place: 'Olympia, Paris, FR',
  holdSeconds: 900,
  refundUntilHoursBefore: 48,
};
const STANDARD = '00000000-0000-4000-8000-000000000001';
const VIP = '00000000-0000-4000-8000-000000000002';

const tier = (tierId: string, seats: number[], extra: Partial<TierOnSale> = {}): TierOnSale => ({
  tierId,
  name: tierId === VIP ? 'VIP' : 'Standard',
  price: tierId === VIP ? 9900 : 2500,
  currency: 'EUR',
  open: true,
  slots: seats.map((remaining, slot) => ({ slot, remaining })).filter((slot) => slot.remaining > 0),
  ...extra,
});

const input = (items: { tierId: string; quantity: number }[], key = 'key-00000001'): PurchaseInput => ({
  buyer: { userId: '00000000-0000-4000-8000-0000000000aa', email: 'ada@example.com', firstName: 'Ada' },
  eventId: '00000000-0000-4000-8000-0000000000ee',
  request: { items },
  idempotencyKey: key,
  correlationId: 'corr-1',
});

const snapshot = (tiers: TierOnSale[], extra: Partial<PurchaseSnapshot> = {}): PurchaseSnapshot => ({
  keyFree: true,
  stored: null,
  event: EVENT,
  tiers,
  expiredHolds: false,
  ...extra,
});

const writeOf = (decision: ReturnType<typeof decidePurchase>): PurchaseWrite => {
  if (decision.kind !== 'write') throw new Error(`expected a sale, got ${decision.kind}`);
  return decision.write;
};

describe('deciding a purchase', () => {
  it("holds the seats of a paid order for the event's hold time, refundable until its deadline: the total at the tier prices, no ticket, no message yet", () => {
    const request = input([
      { tierId: VIP, quantity: 1 },
      { tierId: STANDARD, quantity: 2 },
    ]);
    const write = writeOf(
      decidePurchase(
        { ...snapshot([tier(STANDARD, [20, 20]), tier(VIP, [5])]), event: { ...EVENT, holdSeconds: 600 } },
        request,
        env,
      ),
    );
    expect(write.order).toMatchObject({
      status: 'awaiting_payment',
      expiresAt: '2026-06-01T10:10:00.000Z',
      // The event starts 2026-07-01T18:00Z; refunds until 48 hours before.
      refundableUntil: '2026-06-29T18:00:00.000Z',
      total: 2 * 2500 + 9900,
      currency: 'EUR',
      refund: null,
      tickets: [],
      payment: null,
    });
    expect(write.message).toBeUndefined();
    expect(write.takes.reduce((sum, take) => sum + take.take, 0)).toBe(3);
  });

  it('confirms a free order at once: one ticket per seat, and the message that announces it', () => {
    const request = input([
      { tierId: VIP, quantity: 1 },
      { tierId: STANDARD, quantity: 2 },
    ]);
    const free = { price: 0 };
    const write = writeOf(
      decidePurchase(snapshot([tier(STANDARD, [20, 20], free), tier(VIP, [5], free)]), request, env),
    );
    expect(write.order).toMatchObject({
      status: 'confirmed',
      expiresAt: null,
      total: 0,
      currency: 'EUR',
      refundableUntil: null,
      refund: null,
    });
    expect(write.order.items.map((item) => item.tierId)).toEqual([STANDARD, VIP]);
    expect(write.order.tickets).toHaveLength(3);
    expect(new Set(write.order.tickets.map((ticket) => ticket.code)).size).toBe(3);
    expect(write.order.createdAt).toBe(NOW.toISOString());
    expect(write.order.event.startsAt).toBe('2026-07-01T18:00:00.000Z');
    expect(write.message).toMatchObject({
      type: 'TicketPurchased',
      correlationId: 'corr-1',
      source: 'tickets',
    });
    expect(write.message?.data).toMatchObject({ orderId: write.order.id, total: write.order.total });
    expect(write.takes.reduce((sum, take) => sum + take.take, 0)).toBe(3);
  });

  it('replays the order stored under the key for the same request, and refuses the key for another one', () => {
    const request = input([{ tierId: STANDARD, quantity: 2 }]);
    const sold = writeOf(decidePurchase(snapshot([tier(STANDARD, [20])]), request, env));
    const stored = { requestHash: sold.requestHash, order: sold.order };
    expect(decidePurchase(snapshot([], { stored, keyFree: false }), request, env)).toEqual({
      kind: 'replayed',
      order: sold.order,
    });
    const other = input([{ tierId: STANDARD, quantity: 3 }]);
    expect(decidePurchase(snapshot([], { stored }), other, env)).toEqual({ kind: 'key-reused' });
  });

  it('answers that the key is in use while a write with the same key is running', () => {
    const decision = decidePurchase(snapshot([tier(STANDARD, [20])], { keyFree: false }), input([]), env);
    expect(decision).toEqual({ kind: 'key-in-use' });
  });

  it('refuses an event that is unknown, cancelled or already started', () => {
    const request = input([{ tierId: STANDARD, quantity: 1 }]);
    const tiers = [tier(STANDARD, [20])];
    const why = (event: EventOnSale | null) => decidePurchase(snapshot(tiers, { event }), request, env);
    expect(why(null)).toEqual({ kind: 'not-on-sale', why: 'not-published' });
    expect(why({ ...EVENT, status: 'cancelled' })).toEqual({ kind: 'not-on-sale', why: 'cancelled' });
    expect(why({ ...EVENT, startsAt: NOW.toISOString() })).toEqual({ kind: 'not-on-sale', why: 'started' });
  });

  it('points at the first item whose tier the event does not have', () => {
    const request = input([
      { tierId: STANDARD, quantity: 1 },
      { tierId: VIP, quantity: 1 },
    ]);
    expect(decidePurchase(snapshot([tier(STANDARD, [20])]), request, env)).toEqual({
      kind: 'unknown-tier',
      index: 1,
    });
  });

  it('answers sold out with what remains per tier when a tier cannot serve the order, or is closed', () => {
    const tiers = [tier(STANDARD, [1, 1]), tier(VIP, [4], { open: false })];
    expect(decidePurchase(snapshot(tiers), input([{ tierId: STANDARD, quantity: 3 }]), env)).toEqual({
      kind: 'refused',
      reason: 'sold-out',
      remaining: [
        { tierId: STANDARD, remaining: 2 },
        { tierId: VIP, remaining: 0 },
      ],
    });
    expect(decidePurchase(snapshot(tiers), input([{ tierId: VIP, quantity: 1 }]), env)).toMatchObject({
      reason: 'sold-out',
    });
  });

  it('after lost races, asks to retry while seats remain and answers sold out once they do not', () => {
    const items = [{ tierId: STANDARD, quantity: 2 }];
    expect(afterLostRaces(items, [{ tierId: STANDARD, remaining: 2 }]).reason).toBe('seats-contended');
    expect(afterLostRaces(items, [{ tierId: STANDARD, remaining: 1 }]).reason).toBe('sold-out');
  });
});

const slotsArb = fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 1, maxLength: 16 });
const orderArb = fc.integer({ min: 1, max: 10 });

describe('never more seats than remain', () => {
  it('plans takes that fit their slots and add up to the order, or refuses when the tier holds too few', () => {
    fc.assert(
      fc.property(slotsArb, slotsArb, orderArb, orderArb, (standard, vip, a, b) => {
        const tiers = [tier(STANDARD, standard), tier(VIP, vip)];
        const request = input([
          { tierId: STANDARD, quantity: a },
          { tierId: VIP, quantity: b },
        ]);
        const decision = decidePurchase(snapshot(tiers), request, env);
        const left = (id: string) =>
          tiers.find((t) => t.tierId === id)?.slots.reduce((sum, slot) => sum + slot.remaining, 0) ?? 0;
        if (left(STANDARD) < a || left(VIP) < b) {
          expect(decision).toMatchObject({ kind: 'refused', reason: 'sold-out' });
          return;
        }
        const { takes, order } = writeOf(decision);
        for (const take of takes) {
          const slot = tiers.find((t) => t.tierId === take.tierId)?.slots.find((s) => s.slot === take.slot);
          expect(take.take).toBeGreaterThan(0);
          expect(take.take).toBeLessThanOrEqual(slot?.remaining ?? 0);
        }
        const taken = (id: string) =>
          takes.filter((t) => t.tierId === id).reduce((sum, t) => sum + t.take, 0);
        expect([taken(STANDARD), taken(VIP)]).toEqual([a, b]);
        expect(order.items.reduce((sum, item) => sum + item.quantity, 0)).toBe(a + b);
      }),
    );
  });

  it('sells at most the capacity when other buyers take seats between each read and write', async () => {
    await fc.assert(
      fc.asyncProperty(
        slotsArb,
        fc.array(orderArb, { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        async (seats, orders, thefts) => {
          const store = racingStore(seats, thefts);
          const capacity = seats.reduce((sum, n) => sum + n, 0);
          let sold = 0;
          for (const [index, quantity] of orders.entries()) {
            const outcome = await purchase(
              store,
              input([{ tierId: STANDARD, quantity }], `key-${index}-00000`),
              env,
            );
            if (outcome.kind === 'sold') sold += outcome.seats;
            else expect(outcome).toMatchObject({ kind: 'refused' });
          }
          expect(sold + store.stolen()).toBeLessThanOrEqual(capacity);
          expect(store.left()).toBeGreaterThanOrEqual(0);
          expect(store.left()).toBe(capacity - sold - store.stolen());
        },
      ),
    );
  });
});

/**
 * One tier's slots in memory, written as the purchase statement does (every take fits, or nothing is written), with
 * another buyer taking a seat of a random slot between each read and write, as happens in a flash sale.
 */
function racingStore(seats: number[], thefts: number[]) {
  const left = [...seats];
  let stolen = 0;
  let turn = 0;
  const store: PurchaseStore = {
    read: async () => snapshot([tier(STANDARD, left)]),
    write: async (write) => {
      const victim = (thefts[turn++ % thefts.length] ?? 0) % left.length;
      if ((left[victim] ?? 0) > 0) {
        left[victim] = (left[victim] ?? 0) - 1;
        stolen += 1;
      }
      if (write.takes.some((take) => take.take > (left[take.slot] ?? 0))) return 'lost-race';
      for (const take of write.takes) left[take.slot] = (left[take.slot] ?? 0) - take.take;
      return 'written';
    },
    stored: async () => null,
    remaining: async () => [{ tierId: STANDARD, remaining: left.reduce((sum, n) => sum + n, 0) }],
    releaseExpired: async () => 0,
    expireKeys: async () => 0,
  };
  return {
    ...store,
    left: () => left.reduce((sum, n) => sum + n, 0),
    stolen: () => stolen,
  };
}

describe('the purchase attempts', () => {
  it(`gives up after ${PURCHASE_PLANS} lost races and says whether seats remain`, async () => {
    let writes = 0;
    const store: PurchaseStore = {
      read: async () => snapshot([tier(STANDARD, [5])]),
      write: async () => {
        writes += 1;
        return 'lost-race';
      },
      stored: async () => null,
      remaining: async () => [{ tierId: STANDARD, remaining: 5 }],
      releaseExpired: async () => 0,
      expireKeys: async () => 0,
    };
    const outcome = await purchase(store, input([{ tierId: STANDARD, quantity: 2 }]), env);
    expect(outcome).toEqual({
      kind: 'refused',
      reason: 'seats-contended',
      remaining: [{ tierId: STANDARD, remaining: 5 }],
    });
    expect(writes).toBe(PURCHASE_PLANS);
  });

  it('replays the order of a same-key request that committed first, and reports the key in use if none is stored', async () => {
    const request = input([{ tierId: STANDARD, quantity: 1 }]);
    const first = writeOf(decidePurchase(snapshot([tier(STANDARD, [5])]), request, env));
    const store = (stored: PurchaseSnapshot['stored']): PurchaseStore => ({
      read: async () => snapshot([tier(STANDARD, [5])]),
      write: async () => 'key-taken',
      stored: async () => stored,
      remaining: async () => [],
      releaseExpired: async () => 0,
      expireKeys: async () => 0,
    });
    expect(
      await purchase(store({ requestHash: first.requestHash, order: first.order }), request, env),
    ).toEqual({ kind: 'replayed', order: first.order });
    expect(await purchase(store(null), request, env)).toEqual({ kind: 'key-in-use' });
  });
});
