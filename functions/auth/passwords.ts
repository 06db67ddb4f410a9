// Password hashing with scrypt at OWASP's parameters (N=2^17, r=8, p=1: 128 MiB, memory-hard), in PHC-like form
// so parameters can be raised later without breaking stored hashes.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ConfigError, intEnv, once } from '../../layers/common/config';

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

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
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
export const decoyHash = () => (decoy ??= hashPassword(randomBytes(16).toString('hex')));
