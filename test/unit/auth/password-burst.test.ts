// A burst of sign-ins cannot take the process down with it: password hashing runs a bounded number at a time with
// a bounded queue behind them, and what does not fit is answered at once with 503 and Retry-After instead of piling
// up on Node's thread pool (where it would starve every other request for minutes after the burst).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServiceUnavailableError } from '../../../layers/common/errors';

const load = async () => {
  vi.resetModules();
  return import('../../../functions/auth/passwords');
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a burst of password hashes', () => {
  it('runs what fits in the bounded queue and refuses the rest at once with 503 and Retry-After', async () => {
    vi.stubEnv('PASSWORD_SCRYPT_LN', '12');
    vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '2');
    vi.stubEnv('PASSWORD_HASH_QUEUE', '3');
    const { hashPassword, verifyPassword } = await load();

    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => hashPassword(`pw-${i}`)));

    const done = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(done).toHaveLength(5);
    for (const outcome of refused) {
      // A fresh module graph per load: compared by what it answers, not by class identity.
      const refusal = outcome.reason as ServiceUnavailableError;
      expect(refusal.status).toBe(503);
      expect(Number(refusal.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Once the burst has passed, hashing serves again.
    const hash = await hashPassword('after');
    expect(await verifyPassword('after', hash)).toBe(true);
  });
});
