// Signing keys for access tokens: RS256 (the algorithm family API Gateway's JWT authorizer verifies), created on
// first need, rotated when older than their maximum age; the JWKS publishes the current and the previous key.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type pg from 'pg';
import { intEnv } from '../../layers/common/config';
import { activeKeys, addKey, type StoredKey } from './keys.store';

export const SIGNING_ALG = 'RS256';
const CACHE_MS = 60_000;

async function newKey(): Promise<Omit<StoredKey, 'createdAt'>> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, {
    modulusLength: 2048,
    extractable: true,
  });
  const kid = randomUUID();
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' },
  };
}

const maxAgeMs = () => intEnv('SIGNING_KEY_MAX_AGE_DAYS', 30) * 24 * 3600 * 1000;
const publishDelayMs = () => intEnv('SIGNING_KEY_PUBLISH_DELAY_MINUTES', 120) * 60 * 1000;

export function signingKeys(pool: pg.Pool, now = () => Date.now()) {
  let cache: { at: number; keys: StoredKey[] } | undefined;
  let signer: { kid: string; key: Awaited<ReturnType<typeof importJWK>> } | undefined;

  const load = async (): Promise<StoredKey[]> => {
    if (cache && now() - cache.at < CACHE_MS) return cache.keys;
    let keys = await activeKeys(pool);
    if (keys.length === 0) {
      await addKey(pool, newKey, (current) => current === undefined);
      keys = await activeKeys(pool);
    }
    cache = { at: now(), keys };
    return keys;
  };

  return {
    /**
     * The key that signs new tokens: the newest one that has been published for longer than verifiers cache the
     * JWKS (API Gateway keeps it up to two hours), so no verifier meets a kid it has not fetched yet. The very first
     * key signs at once: there is nothing older.
     */
    async current(): Promise<{ kid: string; key: Awaited<ReturnType<typeof importJWK>> }> {
      const keys = await load();
      const key =
        keys.find((candidate) => now() - candidate.createdAt.getTime() >= publishDelayMs()) ??
        keys[keys.length - 1];
      if (!key) throw new Error('no signing key');
      if (signer?.kid !== key.kid)
        signer = { kid: key.kid, key: await importJWK(key.privateJwk as JWK, SIGNING_ALG) };
      return signer;
    },
    /** Public keys of the current and previous key. */
    async jwks(): Promise<{ keys: JWK[] }> {
      return { keys: (await load()).map((key) => key.publicJwk as JWK) };
    },
    /** Adds a new current key when the current one is older than its maximum age (or there is none). */
    async rotateIfDue(): Promise<boolean> {
      const rotated = await addKey(
        pool,
        newKey,
        (current) => !current || now() - current.createdAt.getTime() >= maxAgeMs(),
      );
      if (rotated) cache = undefined;
      return rotated;
    },
  };
}
