// Buying tickets: exact under concurrency, exactly once per Idempotency-Key, cancellations that put seats back,
// and the reads buyers see (orders, tickets, event history), against the real local platform.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventorySyncRequest } from '../../../events/contracts/catalogue';
import { invokeInternal } from '../../../layers/common/internal';
import { envelope } from '../../../layers/common/messages';
import { awsPublisher } from '../../../layers/common/publisher';
import type { Platform } from '../../../local/platform';
import { type PayableOrder, payOrder } from '../../support/payments';
import { person, startTicketsPlatform, type TicketsPlatform } from '../../support/purchases';
import { waitUntil } from '../../support/wait';

// The catalogue's topic, without the events service itself (its messages are published by the tests).
let platform: Platform;
let issuer: TicketsPlatform['issuer'];
let db: pg.Pool;
let stop: () => Promise<void>;

// Only the services this file exercises: the tokens come from a test issuer, inventory from syncInventory.
beforeAll(async () => {
  ({ platform, issuer, db, stop } = await startTicketsPlatform());
});
afterAll(async () => {
  await stop?.();
});

const buyer = () => person(issuer, platform.apiUrl, { givenName: 'Buyer' });

interface EventSetup {
  eventId: string;
  tiers: { tierId: string; quantity: number; price: number }[];
  /** Epoch ms. */
  startsAt: number;
  endsAt: number;
}

/** Waits until `instant` (epoch ms) is past: an event's start or end, which the tickets service reads off the clock. */
const untilPast = (instant: number) =>
  waitUntil(() => Date.now() > instant, {
    intervalMs: 20,
    message: `${new Date(instant).toISOString()} past`,
  });

async function onSale(
  options: {
    quantities?: number[];
    startsInMs?: number;
    endsInMs?: number;
    timezone?: string;
    /** Priced tiers, whose orders are paid through the payment webhook; by default tickets are free. */
    paid?: boolean;
  } = {},
): Promise<EventSetup> {
  const eventId = randomUUID();
  const quantities = options.quantities ?? [10];
  const startsAt = new Date(Date.now() + (options.startsInMs ?? 7 * 24 * 3600_000));
  const endsAt = new Date(startsAt.getTime() + (options.endsInMs ?? 3 * 3600_000));
  const request: InventorySyncRequest = {
    eventId,
    organizerId: randomUUID(),
    status: 'on_sale',
    capacity: quantities.reduce((a, b) => a + b, 0),
    event: {
      name: `Show ${eventId.slice(0, 8)}`,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      timezone: options.timezone ?? 'Europe/Paris',
      place: 'Olympia, Paris, FR',
    },
    tiers: quantities.map((quantity, index) => ({
      tierId: randomUUID(),
      name: `Tier ${index}`,
      price: options.paid ? 2500 + index * 1000 : 0,
      currency: 'EUR',
      quantity,
    })),
  };
  await invokeInternal('tickets.syncInventory', request, 'test');
  return {
    eventId,
    tiers: request.tiers.map((tier) => ({ tierId: tier.tierId, quantity: tier.quantity, price: tier.price })),
    startsAt: startsAt.getTime(),
    endsAt: endsAt.getTime(),
  };
}

/** What tickets holds of an event, as the sync request that puts it there, but for its status and tiers. */
async function storedInventory(eventId: string): Promise<Omit<InventorySyncRequest, 'status' | 'tiers'>> {
  const row = (await db.query('SELECT * FROM inventories WHERE event_id = $1', [eventId])).rows[0];
  return {
    eventId,
    organizerId: row.organizer_id,
    capacity: row.capacity,
    event: {
      name: row.name,
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at.toISOString(),
      timezone: row.timezone,
      place: row.place,
    },
  };
}

function buy(
  token: string,
  eventId: string,
  items: { tierId: string; quantity: number }[],
  key: string | null = randomUUID(),
) {
  return fetch(`${platform.apiUrl}/v1/events/${eventId}/orders`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(key === null ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify({ items }),
  });
}

const get = (token: string, path: string) =>
  fetch(`${platform.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('a flash sale', () => {
  it('sells no more tickets than the capacity under 200 concurrent buyers for 50 seats', async () => {
    const event = await onSale({ quantities: [50] });
    const tierId = event.tiers[0]?.tierId ?? '';
    const buyers = await Promise.all(Array.from({ length: 200 }, () => buyer()));
    const responses = await Promise.all(
      buyers.map((b) => buy(b.token, event.eventId, [{ tierId, quantity: 1 }])),
    );
    const statuses = responses.map((response) => response.status);
    const bodies = await Promise.all(
      responses.map((response) => response.json() as Promise<{ id?: string; type?: string }>),
    );

    expect(statuses.filter((status) => status === 201)).toHaveLength(50);
    expect(statuses.filter((status) => status === 409)).toHaveLength(150);
    expect(statuses.filter((status) => status >= 500)).toHaveLength(0);
    expect(
      bodies.filter((body) => body.type !== undefined).every((body) => body.type === '/problems/sold-out'),
    ).toBe(true);

    const createdIds = bodies.filter((body) => body.id).map((body) => body.id);
    const orders = await db.query('SELECT id FROM orders WHERE event_id = $1', [event.eventId]);
    expect(orders.rows.map((row) => row.id).sort()).toEqual(createdIds.sort());
    const counts = await db.query(
      'SELECT (SELECT sold FROM tier_stock WHERE tier_id = $1) AS sold, (SELECT count(*)::int FROM tickets WHERE tier_id = $1) AS tickets',
      [tierId],
    );
    expect(counts.rows[0]).toEqual({ sold: 50, tickets: 50 });
  });

  it('sells the seats spread over slots to orders of several seats, refusing none while enough remain', async () => {
    // 200 seats are 10 slots of 20: orders of 1 to 4 seats, 4 times the demand, empty the slots unevenly, so the
    // last orders take their seats from two or more slots.
    const event = await onSale({ quantities: [200] });
    const tierId = event.tiers[0]?.tierId ?? '';
    const buyers = await Promise.all(Array.from({ length: 320 }, () => buyer()));
    const quantities = buyers.map((_, index) => (index % 4) + 1);
    const responses = await Promise.all(
      buyers.map((b, index) => buy(b.token, event.eventId, [{ tierId, quantity: quantities[index] ?? 1 }])),
    );
    expect(responses.filter((response) => response.status >= 500)).toHaveLength(0);
    const created = responses.flatMap((response, index) =>
      response.status === 201 ? [quantities[index] ?? 0] : [],
    );
    const refused = responses.flatMap((response, index) =>
      response.status === 409 ? [quantities[index] ?? 0] : [],
    );
    expect(created.length + refused.length).toBe(buyers.length);
    const { rows } = await db.query<{ sold: number; tickets: number; over: number }>(
      `SELECT (SELECT sold FROM tier_stock WHERE tier_id = $1) AS sold,
              (SELECT count(*)::int FROM tickets WHERE tier_id = $1) AS tickets,
              (SELECT count(*)::int FROM tier_slots WHERE tier_id = $1 AND sold > quantity) AS over`,
      [tierId],
    );
    const sold = created.reduce((sum, quantity) => sum + quantity, 0);
    expect(rows[0]).toEqual({ sold, tickets: sold, over: 0 });
    expect(sold).toBeLessThanOrEqual(200);
    // Whoever was refused asked for more than is left even now.
    expect(Math.min(...refused)).toBeGreaterThan(200 - sold);
  });

  it('answers a loser with what remains per tier', async () => {
    const event = await onSale({ quantities: [2, 5] });
    const { token } = await buyer();
    const response = await buy(token, event.eventId, [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 3 }]);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({
      type: '/problems/sold-out',
      remaining: [
        { tierId: event.tiers[0]?.tierId, remaining: 2 },
        { tierId: event.tiers[1]?.tierId, remaining: 5 },
      ],
    });
  });
});

describe('an order', () => {
  it('is confirmed by its payment, with prices, a total and one unguessable ticket code per seat', async () => {
    const event = await onSale({ quantities: [10, 10], paid: true });
    const { token } = await buyer();
    const [standard, vip] = event.tiers;
    const response = await buy(token, event.eventId, [
      { tierId: standard?.tierId ?? '', quantity: 2 },
      { tierId: vip?.tierId ?? '', quantity: 1 },
    ]);
    expect(response.status).toBe(201);
    const held = (await response.json()) as PayableOrder;
    expect(response.headers.get('location')).toBe(`/v1/orders/${held.id}`);
    expect(held.status).toBe('awaiting_payment');
    await payOrder(platform.apiUrl, held);
    const order = (await (await get(token, `/v1/orders/${held.id}`)).json()) as {
      id: string;
      status: string;
      total: number;
      currency: string;
      tickets: { code: string; tierId: string }[];
    };
    expect(order.status).toBe('confirmed');
    expect(order.total).toBe(2 * 2500 + 3500);
    expect(order.currency).toBe('EUR');
    expect(order.tickets).toHaveLength(3);
    expect(new Set(order.tickets.map((ticket) => ticket.code)).size).toBe(3);
    for (const ticket of order.tickets) expect(ticket.code).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);

    const fetched = await get(token, `/v1/orders/${order.id}`);
    expect(await fetched.json()).toEqual(order);
    const stranger = await buyer();
    expect((await get(stranger.token, `/v1/orders/${order.id}`)).status).toBe(404);
  });

  it('is refused with a clear 400 for bad items, a quantity over the maximum or a missing key', async () => {
    const event = await onSale({ quantities: [20] });
    const { token } = await buyer();
    const tierId = event.tiers[0]?.tierId ?? '';
    const cases: [string, Response][] = [
      ['quantity over 10', await buy(token, event.eventId, [{ tierId, quantity: 11 }])],
      ['zero quantity', await buy(token, event.eventId, [{ tierId, quantity: 0 }])],
      ['unknown tier', await buy(token, event.eventId, [{ tierId: randomUUID(), quantity: 1 }])],
      [
        'same tier twice',
        await buy(token, event.eventId, [
          { tierId, quantity: 1 },
          { tierId, quantity: 1 },
        ]),
      ],
      ['no items', await buy(token, event.eventId, [])],
      ['no Idempotency-Key', await buy(token, event.eventId, [{ tierId, quantity: 1 }], null)],
      ['a short Idempotency-Key', await buy(token, event.eventId, [{ tierId, quantity: 1 }], 'abc')],
    ];
    for (const [name, response] of cases) expect([name, response.status]).toEqual([name, 400]);
    for (const name of ['no Idempotency-Key', 'a short Idempotency-Key']) {
      const response = cases.find(([label]) => label === name)?.[1];
      expect(await response?.json()).toMatchObject({
        type: '/problems/validation-error',
        errors: [{ in: 'header', field: 'Idempotency-Key' }],
      });
    }
    expect((await db.query('SELECT sold FROM tier_stock WHERE tier_id = $1', [tierId])).rows[0]?.sold).toBe(
      0,
    );
  });

  it('is refused with 409 when the event is not on sale: unknown, cancelled or started', async () => {
    const { token } = await buyer();
    const unknown = await buy(token, randomUUID(), [{ tierId: randomUUID(), quantity: 1 }]);
    expect(unknown.status).toBe(409);

    const event = await onSale();
    await invokeInternal(
      'tickets.syncInventory',
      {
        ...(await storedInventory(event.eventId)),
        status: 'cancelled',
        tiers: event.tiers.map((tier) => ({
          tierId: tier.tierId,
          name: 'Tier',
          price: tier.price,
          currency: 'EUR',
          quantity: tier.quantity,
        })),
      },
      'test',
    );
    const cancelled = await buy(token, event.eventId, [
      { tierId: event.tiers[0]?.tierId ?? '', quantity: 1 },
    ]);
    expect(cancelled.status).toBe(409);
    expect(((await cancelled.json()) as { detail: string }).detail).toMatch(/cancelled/);

    const started = await onSale({ startsInMs: 300 });
    await untilPast(started.startsAt);
    const late = await buy(token, started.eventId, [{ tierId: started.tiers[0]?.tierId ?? '', quantity: 1 }]);
    expect(late.status).toBe(409);
    expect(((await late.json()) as { detail: string }).detail).toMatch(/started/);
  });
});

describe('idempotency', () => {
  it('replays the original answer for a retry with the same key and body, and creates nothing', async () => {
    const event = await onSale();
    const { token, userId } = await buyer();
    const key = randomUUID();
    const items = [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 2 }];
    const first = await buy(token, event.eventId, items, key);
    const second = await buy(token, event.eventId, items, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect(
      (await db.query('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [userId])).rows[0]?.n,
    ).toBe(1);
  });

  it('rejects the same key with a different body with 422', async () => {
    const event = await onSale();
    const { token } = await buyer();
    const key = randomUUID();
    expect(
      (await buy(token, event.eventId, [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 1 }], key)).status,
    ).toBe(201);
    const other = await buy(
      token,
      event.eventId,
      [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 2 }],
      key,
    );
    expect(other.status).toBe(422);
  });

  it('never creates a second order when retries race the first', async () => {
    const event = await onSale({ quantities: [100] });
    const { token, userId } = await buyer();
    const key = randomUUID();
    const items = [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 1 }];
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => buy(token, event.eventId, items, key)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    const created = await Promise.all(
      responses.filter((response) => response.status === 201).map((response) => response.json()),
    );
    expect(new Set(created.map((order) => (order as { id: string }).id)).size).toBe(1);
    const conflicts = await Promise.all(
      responses.filter((response) => response.status === 409).map((response) => response.json()),
    );
    for (const conflict of conflicts)
      expect((conflict as { type: string }).type).toBe('/problems/idempotency-key-in-use');
    expect(
      (await db.query('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [userId])).rows[0]?.n,
    ).toBe(1);
    expect(
      (await db.query('SELECT sold FROM tier_stock WHERE event_id = $1', [event.eventId])).rows[0]?.sold,
    ).toBe(1);
  });

  it('keeps keys per user: two users may use the same key', async () => {
    const event = await onSale();
    const key = randomUUID();
    const items = [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 1 }];
    const [a, b] = [await buyer(), await buyer()];
    expect((await buy(a.token, event.eventId, items, key)).status).toBe(201);
    expect((await buy(b.token, event.eventId, items, key)).status).toBe(201);
  });
});

describe('cancellation', () => {
  it('returns the seats, records the refund, and lets someone else buy them', async () => {
    const event = await onSale({ quantities: [2], paid: true });
    const tierId = event.tiers[0]?.tierId ?? '';
    const first = await buyer();
    const order = (await (
      await buy(first.token, event.eventId, [{ tierId, quantity: 2 }])
    ).json()) as PayableOrder;
    await payOrder(platform.apiUrl, order);
    const second = await buyer();
    expect((await buy(second.token, event.eventId, [{ tierId, quantity: 1 }])).status).toBe(409);

    expect(
      (
        await fetch(`${platform.apiUrl}/v1/orders/${order.id}/cancel`, {
          method: 'POST',
          headers: { authorization: `Bearer ${second.token}` },
        })
      ).status,
    ).toBe(404);
    const cancel = await fetch(`${platform.apiUrl}/v1/orders/${order.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.token}` },
    });
    expect(cancel.status).toBe(200);
    const cancelled = (await cancel.json()) as {
      status: string;
      refund: { amount: number; status: string };
      tickets: { status: string }[];
    };
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.refund).toEqual({ amount: order.total, status: 'succeeded' });
    expect(cancelled.tickets.every((ticket) => ticket.status === 'void')).toBe(true);

    const availability = (await (
      await fetch(`${platform.apiUrl}/v1/events/${event.eventId}/availability`)
    ).json()) as { remaining: number };
    expect(availability.remaining).toBe(2);
    expect((await buy(second.token, event.eventId, [{ tierId, quantity: 2 }])).status).toBe(201);

    const again = await fetch(`${platform.apiUrl}/v1/orders/${order.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.token}` },
    });
    expect(again.status).toBe(409);
  });

  it('gives seats back exactly while other buyers take seats of the same slots', async () => {
    // 100 seats are 5 slots of 20: 40 orders of 1 or 2 seats (60 seats), then the 20 orders of one seat cancelled
    // while 40 more buyers take one seat each (they fit without the seats given back).
    const event = await onSale({ quantities: [100] });
    const tierId = event.tiers[0]?.tierId ?? '';
    const quantityOf = (index: number) => (index % 2) + 1;
    const first = await Promise.all(Array.from({ length: 40 }, () => buyer()));
    const orders = await Promise.all(
      first.map(async (b, index) => {
        const response = await buy(b.token, event.eventId, [{ tierId, quantity: quantityOf(index) }]);
        expect(response.status).toBe(201);
        return { token: b.token, id: ((await response.json()) as { id: string }).id };
      }),
    );
    const later = await Promise.all(Array.from({ length: 40 }, () => buyer()));
    const [cancels, buys] = await Promise.all([
      Promise.all(
        orders
          .filter((_, index) => index % 2 === 0)
          .map((order) =>
            fetch(`${platform.apiUrl}/v1/orders/${order.id}/cancel`, {
              method: 'POST',
              headers: { authorization: `Bearer ${order.token}` },
            }),
          ),
      ),
      Promise.all(later.map((b) => buy(b.token, event.eventId, [{ tierId, quantity: 1 }]))),
    ]);
    expect(cancels.map((response) => response.status)).toEqual(cancels.map(() => 200));
    expect(buys.filter((response) => response.status !== 201)).toHaveLength(0);
    const { rows } = await db.query<{ sold: number; held: number; valid: number; off: number }>(
      `SELECT (SELECT sold FROM tier_stock WHERE tier_id = $1) AS sold,
              (SELECT coalesce(sum(i.quantity), 0)::int FROM order_items i JOIN orders o ON o.id = i.order_id
               WHERE i.tier_id = $1 AND o.status = 'confirmed') AS held,
              (SELECT count(*)::int FROM tickets WHERE tier_id = $1 AND status = 'valid') AS valid,
              (SELECT count(*)::int FROM tier_slots WHERE tier_id = $1 AND (sold < 0 OR sold > quantity)) AS off`,
      [tierId],
    );
    expect(rows[0]).toEqual({ sold: 80, held: 80, valid: 80, off: 0 });
  });

  it('is refused once the event has started', async () => {
    // Starts soon enough to wait for, late enough that buying first never races it on a loaded machine.
    const event = await onSale({ startsInMs: 3_000 });
    const { token } = await buyer();
    const order = (await (
      await buy(token, event.eventId, [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 1 }])
    ).json()) as { id: string };
    await untilPast(event.startsAt);
    const cancel = await fetch(`${platform.apiUrl}/v1/orders/${order.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(cancel.status).toBe(409);
    expect(((await cancel.json()) as { type: string }).type).toBe('/problems/event-started');
  });

  it('cancels and refunds every order when the event is cancelled', async () => {
    const event = await onSale({ quantities: [10] });
    const tierId = event.tiers[0]?.tierId ?? '';
    const buyers = await Promise.all([buyer(), buyer(), buyer()]);
    for (const b of buyers)
      expect((await buy(b.token, event.eventId, [{ tierId, quantity: 1 }])).status).toBe(201);
    await awsPublisher.publish({ topic: 'catalogue-events' }, [
      envelope(
        'events',
        'EventCancelled',
        1,
        {
          eventId: event.eventId,
          organizerId: randomUUID(),
          name: 'Show',
          startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          timezone: 'Europe/Paris',
        },
        'cancel-test',
      ),
    ]);
    await expect
      .poll(
        async () =>
          (
            await db.query(
              "SELECT count(*)::int AS n FROM orders WHERE event_id = $1 AND status = 'cancelled' AND cancel_reason = 'event-cancelled' AND refund = total",
              [event.eventId],
            )
          ).rows[0]?.n,
        { timeout: 15_000 },
      )
      .toBe(3);
    const messages = await db.query(
      "SELECT count(*)::int AS n FROM outbox WHERE envelope->>'type' = 'OrderCancelled' AND envelope->'data'->>'eventId' = $1",
      [event.eventId],
    );
    expect(messages.rows[0]?.n).toBe(3);
  });
});

describe('inventory changes', () => {
  it('refuse to remove a tier that has orders, even cancelled ones', async () => {
    const event = await onSale({ quantities: [5, 5] });
    const { token } = await buyer();
    const [kept, removed] = event.tiers;
    const order = (await (
      await buy(token, event.eventId, [{ tierId: removed?.tierId ?? '', quantity: 1 }])
    ).json()) as { id: string };
    await fetch(`${platform.apiUrl}/v1/orders/${order.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const attempt = await invokeInternal(
      'tickets.syncInventory',
      {
        ...(await storedInventory(event.eventId)),
        status: 'on_sale',
        capacity: 10,
        tiers: [{ tierId: kept?.tierId ?? '', name: 'Tier 0', price: 2500, currency: 'EUR', quantity: 5 }],
      },
      'test',
    ).catch((error: unknown) => error);
    expect((attempt as { status?: number; slug?: string }).status).toBe(409);
    expect((attempt as { slug?: string }).slug).toBe('tier-has-sales');
  });

  it('carry a moved event onto its existing orders', async () => {
    const event = await onSale();
    const { token } = await buyer();
    await buy(token, event.eventId, [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 1 }]);
    const stored = await storedInventory(event.eventId);
    const movedStart = new Date(Date.parse(stored.event.startsAt) + 86_400_000);
    await invokeInternal(
      'tickets.syncInventory',
      {
        ...stored,
        status: 'on_sale',
        event: {
          ...stored.event,
          name: 'Moved show',
          startsAt: movedStart.toISOString(),
          endsAt: new Date(movedStart.getTime() + 3_600_000).toISOString(),
        },
        tiers: event.tiers.map((tier) => ({
          tierId: tier.tierId,
          name: 'Tier 0',
          price: tier.price,
          currency: 'EUR',
          quantity: tier.quantity,
        })),
      },
      'test',
    );
    const orders = (await (await get(token, '/v1/users/me/orders')).json()) as {
      items: { event: { name: string; startsAt: string } }[];
    };
    expect(orders.items[0]?.event).toMatchObject({ name: 'Moved show', startsAt: movedStart.toISOString() });
  });
});

describe('what a buyer reads', () => {
  it('lists my orders and tickets newest first, page by page', async () => {
    const event = await onSale({ quantities: [20] });
    const { token } = await buyer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push(
        (
          (await (
            await buy(token, event.eventId, [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 2 }])
          ).json()) as { id: string }
        ).id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await get(token, `/v1/users/me/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const tickets = (await (await get(token, '/v1/users/me/tickets?limit=100')).json()) as {
      items: { code: string; event: { id: string } }[];
    };
    expect(tickets.items).toHaveLength(10);
    expect(tickets.items.every((ticket) => ticket.event.id === event.eventId)).toBe(true);
    expect((await get(token, '/v1/users/me/orders?cursor=not-a-cursor')).status).toBe(400);
  });

  it('splits my event history into upcoming and past by the instant, whatever the time zone', async () => {
    const { token } = await buyer();
    // Far-east and far-west zones: 25 hours apart on the wall clock, but only the instants decide.
    const soonOver = await onSale({ startsInMs: 3_000, endsInMs: 200, timezone: 'Pacific/Kiritimati' });
    const later = await onSale({ startsInMs: 3_600_000, timezone: 'Pacific/Pago_Pago' });
    const cancelledOne = await onSale({ startsInMs: 7_200_000, timezone: 'America/New_York' });
    for (const event of [soonOver, later, cancelledOne]) {
      expect(
        (await buy(token, event.eventId, [{ tierId: event.tiers[0]?.tierId ?? '', quantity: 1 }])).status,
      ).toBe(201);
    }
    const mine = (await (await get(token, '/v1/users/me/orders')).json()) as {
      items: { id: string; event: { id: string } }[];
    };
    const toCancel = mine.items.find((order) => order.event.id === cancelledOne.eventId)?.id;
    await fetch(`${platform.apiUrl}/v1/orders/${toCancel}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    await untilPast(soonOver.endsAt);

    const upcoming = (await (await get(token, '/v1/users/me/events?when=upcoming')).json()) as {
      items: { id: string; timezone: string; tickets: number }[];
    };
    const past = (await (await get(token, '/v1/users/me/events?when=past')).json()) as {
      items: { id: string; timezone: string }[];
    };
    expect(upcoming.items.map((item) => item.id)).toEqual([later.eventId]);
    expect(upcoming.items[0]).toMatchObject({ timezone: 'Pacific/Pago_Pago', tickets: 1 });
    expect(past.items.map((item) => item.id)).toEqual([soonOver.eventId]);
    expect(past.items[0]?.timezone).toBe('Pacific/Kiritimati');
  });
});
