// The sign-in guard: failures by one address lock that address out of one account, never the owner elsewhere;
// failures from everywhere slow the account down, by growing waits, without refusing a right password.
import { describe, expect, it } from 'vitest';
import { accountDelayMs, type FailureCounter, signInGuard } from '../../../functions/auth/sign-in-guard';
import { TooManyRequestsError } from '../../../layers/common/errors';

function memoryCounter(): FailureCounter & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    async count(key) {
      return { failures: counts.get(key) ?? 0, resetsInSeconds: 600 };
    },
    async record(key) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return counts.get(key) ?? 0;
    },
    async forget(key) {
      counts.set(key, Math.max(0, (counts.get(key) ?? 0) - 1));
    },
    async clear(key) {
      counts.delete(key);
    },
  };
}

const setup = () => {
  const counter = memoryCounter();
  const waits: number[] = [];
  const guard = signInGuard({
    counter,
    perAccountAndIp: { limit: 5, windowSeconds: 900 },
    perAccount: { limit: 20, windowSeconds: 3600 },
    baseDelayMs: 500,
    maxDelayMs: 8000,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  const wrong = async () => undefined;
  const right = async () => ({ id: 'owner' });
  return { guard, waits, wrong, right, counter };
};

describe('the sign-in guard', () => {
  it('refuses an address after five failures on one account, with the time left in its window', async () => {
    const { guard, wrong, right } = setup();
    for (let i = 0; i < 5; i += 1)
      expect(await guard.attempt('owner@example.com', '203.0.113.9', wrong)).toBeUndefined();
    const refused = guard.attempt('Owner@Example.com', '203.0.113.9', right);
    await expect(refused).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(refused).rejects.toMatchObject({ status: 429, headers: { 'retry-after': '600' } });
  });

  it("lets the owner in from another address despite an attacker's burst", async () => {
    const { guard, wrong, right, waits } = setup();
    for (let i = 0; i < 12; i += 1)
      await guard.attempt('owner@example.com', '203.0.113.9', wrong).catch(() => {});
    expect(await guard.attempt('owner@example.com', '198.51.100.7', right)).toEqual({ id: 'owner' });
    expect(waits).toEqual([]);
  });

  it('slows every address down, more with each failure, once the account has many, and still accepts the right password', async () => {
    const { guard, wrong, right, waits } = setup();
    for (let i = 0; i < 24; i += 1) await guard.attempt('owner@example.com', `203.0.113.${i}`, wrong);
    expect(waits).toEqual([500, 1000, 2000]);
    expect(await guard.attempt('owner@example.com', '198.51.100.7', right)).toEqual({ id: 'owner' });
    expect(waits.at(-1)).toBe(4000);
  });

  it('caps the wait', () => {
    const rules = { perAccount: { limit: 20, windowSeconds: 3600 }, baseDelayMs: 500, maxDelayMs: 8000 };
    expect(accountDelayMs(20, rules)).toBe(0);
    expect(accountDelayMs(21, rules)).toBe(500);
    expect(accountDelayMs(10_000, rules)).toBe(8000);
  });

  it("forgets an address's failures once it signs in", async () => {
    const { guard, wrong, right } = setup();
    for (let i = 0; i < 4; i += 1) await guard.attempt('owner@example.com', '198.51.100.7', wrong);
    await guard.attempt('owner@example.com', '198.51.100.7', right);
    for (let i = 0; i < 4; i += 1) await guard.attempt('owner@example.com', '198.51.100.7', wrong);
    expect(await guard.attempt('owner@example.com', '198.51.100.7', right)).toEqual({ id: 'owner' });
  });

  it('holds a burst sent all at once to the same five checks as one sent in turn', async () => {
    const { guard } = setup();
    let checked = 0;
    const slowWrong = async () => {
      checked += 1;
      // Every attempt of the burst has started before the first check ends.
      await new Promise((resolve) => setImmediate(resolve));
      return undefined;
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, () => guard.attempt('owner@example.com', '203.0.113.9', slowWrong)),
    );
    expect(checked).toBe(5);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(25);
  });

  it("does not count a right password, a refused attempt or a check that failed against the account's waits", async () => {
    const { guard, wrong, right, counter } = setup();
    for (let i = 0; i < 8; i += 1)
      await guard.attempt('owner@example.com', '203.0.113.9', wrong).catch(() => {});
    await guard.attempt('owner@example.com', '198.51.100.7', right);
    await expect(
      guard.attempt('owner@example.com', '198.51.100.8', async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    // Five wrong passwords were checked; the three refused, the right one and the failed check count for nothing.
    expect(counter.counts.get('acct:owner@example.com')).toBe(5);
  });

  it('caps the failures of an account from every address together when asked to (the second step)', async () => {
    const { guard, wrong, right } = setup();
    const cap = { accountCap: { limit: 10, windowSeconds: 900 } };
    for (let i = 0; i < 10; i += 1) await guard.attempt('2fa:owner', `203.0.113.${i}`, wrong, cap);
    const refused = guard.attempt('2fa:owner', '198.51.100.7', right, cap);
    await expect(refused).rejects.toMatchObject({ status: 429, headers: { 'retry-after': '600' } });
    // Without the cap (a password), the owner still gets in from a fresh address.
    expect(await guard.attempt('2fa:owner', '198.51.100.7', right)).toEqual({ id: 'owner' });
  });
});
