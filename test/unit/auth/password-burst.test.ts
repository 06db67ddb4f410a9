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

  it('refuses a hash that waited past PASSWORD_HASH_MAX_WAIT_MS, and drops it rather than running it later', async () => {
    vi.stubEnv('PASSWORD_SCRYPT_LN', '15');
    vi.stubEnv('PASSWORD_HASH_CONCURRENCY', '1');
    vi.stubEnv('PASSWORD_HASH_QUEUE', '10');
    vi.stubEnv('PASSWORD_HASH_MAX_WAIT_MS', '1');
    const { hashPassword } = await load();

    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => hashPassword(`pw-${i}`)));

    // The first ran at once; the others were still waiting for it when their millisecond was up.
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    for (const outcome of outcomes.slice(1))
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ status: 503 });
    // The refused hashes left their places in the queue: a hash now starts at once instead of behind them.
    await expect(hashPassword('after')).resolves.toMatch(/^\$scrypt\$ln=15,/);
  });

  it('hashes above the default cost (PASSWORD_SCRYPT_LN up to 20 is accepted)', async () => {
    vi.stubEnv('PASSWORD_SCRYPT_LN', '18');
    const { hashPassword } = await load();
    await expect(hashPassword('costly')).resolves.toMatch(/^\$scrypt\$ln=18,/);
  }, 30_000);
});
