// Checkout's handling of each purchase answer: contended seats are retried with the same key, refusals told. And the
// event page's choice of tickets, kept within the seats left as they are refreshed.
import { describe, expect, it } from 'vitest';
import { MAX_PER_TIER, mostOf, purchaseWithRetry, ticketChoice } from '../../../web/src/lib/purchase';

const problem = (status: number, slug: string, extra: object = {}) => ({
  status,
  body: { type: `/problems/${slug}`, title: slug, status, detail: `detail of ${slug}`, ...extra },
});

function server(answers: { status: number; body: unknown }[]) {
  const keys: string[] = [];
  return {
    keys,
    send: async (key: string) => {
      keys.push(key);
      const answer = answers.shift();
      if (!answer) throw new Error('no more answers');
      return answer;
    },
  };
}

const noWait = { sleep: async () => undefined };

describe('purchaseWithRetry', () => {
  it('retries seats-contended with the same Idempotency-Key until the order is confirmed', async () => {
    const api = server([
      problem(409, 'seats-contended'),
      problem(409, 'seats-contended'),
      { status: 201, body: { id: 'order-1' } },
    ]);
    const outcome = await purchaseWithRetry({ send: api.send, idempotencyKey: 'key-1', ...noWait });
    expect(outcome).toEqual({ kind: 'confirmed', order: { id: 'order-1' } });
    expect(api.keys).toEqual(['key-1', 'key-1', 'key-1']);
  });

  it('retries a failed connection with the same key (the order may exist; the key replays it)', async () => {
    const api = { keys: [] as string[], calls: 0 };
    const outcome = await purchaseWithRetry({
      idempotencyKey: 'key-2',
      ...noWait,
      send: async (key) => {
        api.keys.push(key);
        api.calls += 1;
        if (api.calls === 1) throw new TypeError('Failed to fetch');
        return { status: 201, body: { id: 'order-2' } };
      },
    });
    expect(outcome.kind).toBe('confirmed');
    expect(api.keys).toEqual(['key-2', 'key-2']);
  });

  it('gives up after a few contended attempts and says so', async () => {
    const api = server(Array.from({ length: 5 }, () => problem(409, 'seats-contended')));
    const outcome = await purchaseWithRetry({ send: api.send, idempotencyKey: 'k', attempts: 5, ...noWait });
    expect(outcome.kind).toBe('busy');
    expect(api.keys).toHaveLength(5);
  });

  it('tells sold out with what remains, without retrying', async () => {
    const remaining = [{ tierId: 't1', remaining: 1 }];
    const api = server([problem(409, 'sold-out', { remaining })]);
    const outcome = await purchaseWithRetry({ send: api.send, idempotencyKey: 'k', ...noWait });
    expect(outcome).toEqual({ kind: 'sold-out', message: 'detail of sold-out', remaining });
    expect(api.keys).toHaveLength(1);
  });

  it('tells not-on-sale, a reused key (422) and a bad request as they are', async () => {
    for (const [answer, kind] of [
      [problem(409, 'not-on-sale'), 'not-on-sale'],
      [problem(422, 'idempotency-key-reused'), 'key-reused'],
      [problem(400, 'validation', { errors: [{ field: 'items', message: 'Too many.' }] }), 'invalid'],
      [{ status: 401, body: {} }, 'signed-out'],
    ] as const) {
      const outcome = await purchaseWithRetry({
        send: server([answer]).send,
        idempotencyKey: 'k',
        ...noWait,
      });
      expect(outcome.kind).toBe(kind);
    }
  });
});

describe('ticketChoice', () => {
  it('offers none of a sold-out tier, at most what is left, and at most the per-order cap when seats are unknown', () => {
    expect(mostOf({ id: 'a', remaining: 0 })).toBe(0);
    expect(mostOf({ id: 'a', remaining: 3 })).toBe(3);
    expect(mostOf({ id: 'a', remaining: 500 })).toBe(MAX_PER_TIER);
    expect(mostOf({ id: 'a', remaining: null })).toBe(MAX_PER_TIER);
  });

  it('keeps a choice the seats left allow, and leaves out tiers chosen at zero', () => {
    const tiers = [
      { id: 'standard', remaining: 40 },
      { id: 'vip', remaining: 5 },
    ];
    expect(ticketChoice(tiers, { standard: 2, vip: 0 })).toEqual({
      items: [{ tierId: 'standard', quantity: 2 }],
      lowered: [],
    });
  });

  it('lowers a choice to what is left when the tier sells down or out while the page is open, and names it', () => {
    const chosen = { standard: 4, vip: 2 };
    const later = [
      { id: 'standard', remaining: 1 },
      { id: 'vip', remaining: 0 },
    ];
    expect(ticketChoice(later, chosen)).toEqual({
      items: [{ tierId: 'standard', quantity: 1 }],
      lowered: ['standard', 'vip'],
    });
  });
});
