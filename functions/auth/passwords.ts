// Password hashing with scrypt at OWASP's parameters (N=2^17, r=8, p=1: 128 MiB, memory-hard), in PHC-like form
// so parameters can be raised later without breaking stored hashes.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { BulkheadRejectedError, bulkhead } from 'cockatiel';
import { ConfigError, intEnv, once } from '../../layers/common/config';
import { ServiceUnavailableError } from '../../layers/common/errors';

/**
 * log2(N) of new hashes. PASSWORD_SCRYPT_LN lowers it only where passwords protect nothing: the test suite signs
 * hundreds of users up, at about half a second of CPU each at 17. Verification reads the cost from the stored hash.
 */
const params = once(() => {
  const ln = intEnv('PASSWORD_SCRYPT_LN', 17);
  if (ln < 10 || ln > 20) throw new ConfigError(`PASSWORD_SCRYPT_LN must be between 10 and 20, got ${ln}`);
  return { N: 2 ** ln, r: 8, p: 1 };
});
const KEY_LENGTH = 32;

/**
 * Each hash holds one of Node's four libuv threads (and 128 MiB) for a few hundred ms. A bulkhead lets
 * PASSWORD_HASH_CONCURRENCY (2) run and PASSWORD_HASH_QUEUE (16) wait, each for at most PASSWORD_HASH_MAX_WAIT_MS
 * (3 s); a hash beyond that is refused with 503 + Retry-After, so a burst of sign-ins is shed instead of queueing on
 * the thread pool, where it would hold up every other request's file, DNS and crypto work for minutes after the
 * burst ended. The wait is bounded in time as well as in count because a hash takes seconds on a loaded machine: a
 * sign-in left queued longer would run past its function's timeout (answered 500 or 504 instead of 503) and its
 * hash would still run afterwards, for nobody.
 */
const hashing = once(() => ({
  policy: bulkhead(intEnv('PASSWORD_HASH_CONCURRENCY', 2), intEnv('PASSWORD_HASH_QUEUE', 16)),
  maxWaitMs: intEnv('PASSWORD_HASH_MAX_WAIT_MS', 3_000),
}));
const HASH_RETRY_AFTER_SECONDS = 2;

const tooBusy = () =>
  new ServiceUnavailableError('Too many sign-ins at once; try again shortly.', HASH_RETRY_AFTER_SECONDS);

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  const { policy, maxWaitMs } = hashing();
  let waitedTooLong = false;
  let timer: NodeJS.Timeout | undefined;
  const refused = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      waitedTooLong = true;
      reject(tooBusy());
    }, maxWaitMs);
  });
  // A refused hash stays in the bulkhead's queue until its turn, then ends at once, so the next one starts.
  const run = policy.execute(() => {
    if (waitedTooLong) return Promise.reject(tooBusy());
    clearTimeout(timer);
    return work();
  });
  run.catch(() => undefined);
  try {
    return await Promise.race([run, refused]);
  } catch (error) {
    if (error instanceof BulkheadRejectedError) throw tooBusy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return bounded(
    () =>
      new Promise((resolve, reject) => {
        scrypt(
          password.normalize('NFKC'),
          salt,
          KEY_LENGTH,
          // scrypt needs 128·N·r bytes; Node refuses past maxmem (32 MiB by default), so it follows the cost.
          { ...params, maxmem: 256 * params.N * params.r },
          (error, key) => (error ? reject(error) : resolve(key)),
        );
      }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = params();
  const key = await derive(password, salt, { N, r, p });
  return `$scrypt$ln=${Math.log2(N)},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  if (!match) return false;
  const [, ln, r, p, salt, expected] = match;
  const key = await derive(password, Buffer.from(salt ?? '', 'base64'), {
    N: 2 ** Number(ln),
    r: Number(r),
    p: Number(p),
  });
  const wanted = Buffer.from(expected ?? '', 'base64');
  return wanted.length === key.length && timingSafeEqual(wanted, key);
}

/** A real hash of a random password: verifying against it costs the same as a real account, so an unknown email
 * and a wrong password take similar time. */
let decoy: Promise<string> | undefined;
export const decoyHash = () => {
  // A decoy refused during a burst is made again next time rather than kept as a failure.
  decoy ??= hashPassword(randomBytes(16).toString('hex')).catch((error: unknown) => {
    decoy = undefined;
    throw error;
  });
  return decoy;
};
