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
const MAX_MEMORY = 256 * 1024 * 1024;

/**
 * Each hash holds one of Node's four libuv threads (and 128 MiB) for a few hundred ms. A bulkhead lets
 * PASSWORD_HASH_CONCURRENCY (2) run and PASSWORD_HASH_QUEUE (16) wait; a hash beyond that is refused at once with
 * 503 + Retry-After, so a burst of sign-ins is shed instead of queueing on the thread pool, where it would hold up
 * every other request's file, DNS and crypto work for minutes after the burst ended.
 */
const hashing = once(() =>
  bulkhead(intEnv('PASSWORD_HASH_CONCURRENCY', 2), intEnv('PASSWORD_HASH_QUEUE', 16)),
);
const HASH_RETRY_AFTER_SECONDS = 2;

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await hashing().execute(work);
  } catch (error) {
    if (error instanceof BulkheadRejectedError)
      throw new ServiceUnavailableError(
        'Too many sign-ins at once; try again shortly.',
        HASH_RETRY_AFTER_SECONDS,
      );
    throw error;
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
          { ...params, maxmem: MAX_MEMORY },
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
