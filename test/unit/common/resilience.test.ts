// Retries cure transient failures only, and the breaker stops calling a dependency that keeps failing.
import { afterEach, describe, expect, it, vi } from 'vitest';
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

  it('stops retrying once its signal has aborted, and answers the attempt that was running', async () => {
    const deadline = new AbortController();
    let calls = 0;
    const policy = retryPolicy({ maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 2 });
    await expect(
      policy.execute(async () => {
        calls += 1;
        // The invocation's deadline passes while this attempt runs.
        deadline.abort(new Error('Task timed out'));
        throw transient();
      }, deadline.signal),
    ).rejects.toThrow('could not serialize access');
    expect(calls).toBe(1);
  });

  it('starts no attempt when its signal has already aborted', async () => {
    let calls = 0;
    await expect(
      retryPolicy().execute(
        async () => {
          calls += 1;
          return 'done';
        },
        AbortSignal.abort(new Error('Task timed out')),
      ),
    ).rejects.toThrow('Task timed out');
    expect(calls).toBe(0);
  });

  describe('with a backoff under way', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('ends the wait at the deadline instead of sleeping it out', async () => {
      // Timers stand still: the call can end only if the backoff does not have to elapse.
      vi.useFakeTimers();
      const deadline = new AbortController();
      let calls = 0;
      const policy = retryPolicy({ maxAttempts: 3, initialDelayMs: 60_000, maxDelayMs: 60_000 });
      policy.onRetry(() => deadline.abort(new Error('Task timed out')));
      await expect(
        policy.execute(async () => {
          calls += 1;
          throw transient();
        }, deadline.signal),
      ).rejects.toThrow('Task timed out');
      expect(calls).toBe(1);
    });
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
