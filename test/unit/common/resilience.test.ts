// Retries cure transient failures only, and the breaker stops calling a dependency that keeps failing.
import { describe, expect, it } from 'vitest';
import {
  breakerPolicy,
  isBrokenCircuitError,
  isTransient,
  resilient,
  retryPolicy,
} from '../../../layers/common/resilience';

const transient = () => Object.assign(new Error('could not serialize access'), { code: '40001' });

describe('retry', () => {
  it('retries a serialization failure until it succeeds', async () => {
    let calls = 0;
    const result = await retryPolicy({ initialDelayMs: 1, maxDelayMs: 2 }).execute(async () => {
      calls += 1;
      if (calls < 3) throw transient();
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(calls).toBe(3);
  });

  it('does not retry a failure no retry can cure', async () => {
    let calls = 0;
    await expect(
      retryPolicy({ initialDelayMs: 1 }).execute(async () => {
        calls += 1;
        throw Object.assign(new Error('duplicate key'), { code: '23505' });
      }),
    ).rejects.toThrow('duplicate key');
    expect(calls).toBe(1);
  });

  it('recognises dropped connections and deadlocks as transient', () => {
    expect(isTransient(Object.assign(new Error('x'), { code: '40P01' }))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('null value in column'))).toBe(false);
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures and then fails fast without calling', async () => {
    const breaker = breakerPolicy({ threshold: 2, halfOpenAfterMs: 60_000 });
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error('down');
    };
    await expect(breaker.execute(failing)).rejects.toThrow('down');
    await expect(breaker.execute(failing)).rejects.toThrow('down');
    const error = await breaker.execute(failing).catch((caught: unknown) => caught);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(calls).toBe(2);
  });

  it('counts a call against the circuit only after its retries are spent', async () => {
    const policy = resilient(
      { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 3 },
      { threshold: 1, halfOpenAfterMs: 60_000 },
    );
    let calls = 0;
    await expect(
      policy.execute(async () => {
        calls += 1;
        throw transient();
      }),
    ).rejects.toThrow();
    expect(calls).toBe(3);
    expect(
      isBrokenCircuitError(await policy.execute(async () => 'x').catch((caught: unknown) => caught)),
    ).toBe(true);
  });
});
