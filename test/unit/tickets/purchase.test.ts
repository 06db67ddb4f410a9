// The purchase handler with its own deps: how each outcome of a purchase reaches the buyer (status, problem type,
// headers), that a sale publishes TicketPurchased and counts its seats, and that a refusal publishes nothing.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { TicketsDeps } from '../../../functions/tickets/model';
import { testModeProvider } from '../../../functions/tickets/payments.provider';
import { makeHandler } from '../../../functions/tickets/purchase';
import type { PurchaseSnapshot, PurchaseStore } from '../../../functions/tickets/purchasing';
import type { HttpEvent } from '../../../layers/common/http';

const EVENT_ID = '00000000-0000-4000-8000-0000000000ee';
const TIER = '00000000-0000-4000-8000-000000000001';
const snapshot = (seats: number, extra: Partial<PurchaseSnapshot> = {}, price = 0): PurchaseSnapshot => ({
  keyFree: true,
  stored: null,
  expiredHolds: false,
  event: {
    status: 'on_sale',
    startsAt: '2099-01-01T18:00:00Z',
    endsAt: '2099-01-01T21:00:00Z',
    name: 'Show',
    timezone: 'UTC',
    place: 'Hall',
    holdSeconds: 900,
    refundUntilHoursBefore: 0,
  },
  tiers: [
    {
      tierId: TIER,
      name: 'Standard',
      price,
      currency: 'EUR',
      open: true,
      slots: seats > 0 ? [{ slot: 0, remaining: seats }] : [],
    },
  ],
  ...extra,
});

const unused = () => {
  throw new Error('not used by the purchase');
};

function fakeDeps(read: PurchaseSnapshot) {
  const published: unknown[] = [];
  const counted: [string, number | undefined][] = [];
  const changed: string[][] = [];
  const purchases: PurchaseStore = {
    read: async () => read,
    write: async () => 'written',
    stored: async () => null,
    remaining: async () => [],
    releaseExpired: async () => 0,
    expireKeys: unused,
  };
  const payments = {
    provider: async () => testModeProvider('http://localhost/test-mode/pay'),
    store: { attachPayment: async () => undefined },
    webhookSecret: unused,
  };
  const deps = {
    purchases,
    snapshots: {
      changed: async (eventIds: readonly string[]) => {
        changed.push([...eventIds]);
      },
    },
    payments: payments as unknown as TicketsDeps['payments'],
    orders: { findOrder: async () => undefined } as unknown as TicketsDeps['orders'],
    now: () => new Date('2026-06-01T10:00:00Z'),
    newId: randomUUID,
    publish: async (_destination, messages) => {
      published.push(...messages);
    },
    count: (metric, value) => {
      counted.push([metric, value]);
    },
  } satisfies Partial<TicketsDeps>;
  return { deps: deps as unknown as TicketsDeps, published, counted, changed };
}

async function buy(
  deps: TicketsDeps,
  headers: Record<string, string> = { 'idempotency-key': 'key-00000001' },
) {
  const event = {
    version: '2.0',
    rawPath: `/v1/events/${EVENT_ID}/orders`,
    headers: { 'content-type': 'application/json', ...headers },
    pathParameters: { id: EVENT_ID },
    body: JSON.stringify({ items: [{ tierId: TIER, quantity: 2 }] }),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'r1',
      http: { method: 'POST', path: `/v1/events/${EVENT_ID}/orders`, sourceIp: '127.0.0.1' },
      authorizer: { jwt: { claims: { sub: randomUUID(), email: 'ada@example.com', given_name: 'Ada' } } },
    },
  } as unknown as HttpEvent;
  const response = (await makeHandler(deps)(event, { awsRequestId: 'r1' } as Context)) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };
  return { ...response, json: JSON.parse(response.body) };
}

describe('the purchase handler', () => {
  it('answers a sale with 201 and where the order lives, publishes TicketPurchased and counts the seats', async () => {
    const { deps, published, counted } = fakeDeps(snapshot(10));
    const response = await buy(deps);
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/v1/orders/${response.json.id}`);
    expect(response.headers['idempotent-replayed']).toBe('false');
    expect(published).toMatchObject([{ type: 'TicketPurchased', data: { orderId: response.json.id } }]);
    expect(counted).toEqual([['TicketsSold', 2]]);
  });

  it('answers a paid order with its hold and how to pay it, publishing nothing and counting no seat sold yet', async () => {
    const { deps, published, counted } = fakeDeps(snapshot(10, {}, 2500));
    const response = await buy(deps);
    expect(response.statusCode).toBe(201);
    expect(response.json).toMatchObject({
      status: 'awaiting_payment',
      expiresAt: '2026-06-01T10:15:00.000Z',
      total: 5000,
      tickets: [],
      payment: { provider: 'test-mode', paymentId: expect.stringMatching(/^pi_test_/) },
    });
    expect(response.json.payment.checkoutUrl).toContain(`/test-mode/pay/${response.json.id}?`);
    expect(published).toEqual([]);
    expect(counted).toEqual([]);
  });

  it('outdates the availability snapshot after every sale (free or held for payment), and never for a refusal', async () => {
    const free = fakeDeps(snapshot(2));
    expect((await buy(free.deps)).statusCode).toBe(201);
    expect(free.changed).toEqual([[EVENT_ID]]);

    const held = fakeDeps(snapshot(10, {}, 2500));
    expect((await buy(held.deps)).statusCode).toBe(201);
    expect(held.changed).toEqual([[EVENT_ID]]);

    const refused = fakeDeps(snapshot(0));
    expect((await buy(refused.deps)).statusCode).toBe(409);
    expect(refused.changed).toEqual([]);
  });

  it('answers sold out with 409 problem+json and what remains, publishing nothing', async () => {
    const { deps, published, counted } = fakeDeps(snapshot(1));
    const response = await buy(deps);
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({
      type: '/problems/sold-out',
      remaining: [{ tierId: TIER, remaining: 1 }],
    });
    expect(published).toEqual([]);
    expect(counted).toEqual([['OrdersRefused', undefined]]);
  });

  it('answers a busy key with 409 idempotency-key-in-use and a reused one with 422', async () => {
    expect((await buy(fakeDeps(snapshot(10, { keyFree: false })).deps)).json.type).toBe(
      '/problems/idempotency-key-in-use',
    );
    const stored = { requestHash: 'another request', order: {} as never };
    const reused = await buy(fakeDeps(snapshot(10, { stored })).deps);
    expect([reused.statusCode, reused.json.type]).toEqual([422, '/problems/idempotency-key-reused']);
  });

  it('answers 400 for a tier the event does not have, and for a missing Idempotency-Key', async () => {
    const unknown = await buy(fakeDeps({ ...snapshot(10), tiers: [] }).deps);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json.errors).toEqual([expect.objectContaining({ in: 'body', field: 'items.0.tierId' })]);
    const missing = await buy(fakeDeps(snapshot(10)).deps, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json.errors).toEqual([
      expect.objectContaining({ in: 'header', field: 'Idempotency-Key' }),
    ]);
  });
});
