// Rotating signing keys kept in a service's own database (auth's token keys, tickets' QR keys): created on first
// need, a new one added when the current one reaches its maximum age, the newest `published` keys in the JWKS.
// Private keys never leave the service; the table is `(kid, private_jwk, public_jwk, created_at, retired_at)`.
import { randomBytes } from 'node:crypto';
import { exportJWK, type GenerateKeyPairOptions, generateKeyPair, importJWK, type JWK } from 'jose';
import type pg from 'pg';
import { intEnv } from './config';
import { withTransaction } from './db';

export interface StoredKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: Date;
}

export interface KeyPolicy {
  /** The key table: a constant of the calling service, never input. */
  table: string;
  alg: string;
  generate?: GenerateKeyPairOptions;
  /** How many of the newest keys stay published (and usable to verify); older ones are retired. */
  published: number;
  /** Environment variables (with defaults) that set the maximum age and how long a new key is published unused. */
  maxAgeDays: [name: string, fallback: number];
  publishDelayMinutes: [name: string, fallback: number];
}

type Row = { kid: string; private_jwk: JWK; public_jwk: JWK; created_at: Date };
const toKey = (row: Row): StoredKey => ({
  kid: row.kid,
  privateJwk: row.private_jwk as Record<string, unknown>,
  publicJwk: row.public_jwk as Record<string, unknown>,
  createdAt: row.created_at,
});

const CACHE_MS = 60_000;
export type SigningKey = Awaited<ReturnType<typeof importJWK>>;

export function rotatingKeys(pool: pg.Pool, policy: KeyPolicy, now = () => Date.now()) {
  const { table, alg } = policy;
  const columns = 'kid, private_jwk, public_jwk, created_at';
  let cache: { at: number; keys: StoredKey[] } | undefined;
  let signer: { kid: string; key: SigningKey } | undefined;

  const newKey = async (): Promise<Omit<StoredKey, 'createdAt'>> => {
    const { publicKey, privateKey } = await generateKeyPair(alg, { ...policy.generate, extractable: true });
    // Short kids keep signed payloads (a QR code) small; 72 random bits never collide in a key table.
    const kid = randomBytes(9).toString('base64url');
    return {
      kid,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    };
  };

  /**
   * Adds a key as the current one and retires all but the newest `published`. Serialised by an advisory lock, and
   * `onlyIf` decides under it whether a key is still needed (another container may have just added one).
   */
  const addKey = (onlyIf: (current: StoredKey | undefined) => boolean) =>
    withTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`signing-keys.${table}`]);
      const { rows } = await client.query(
        `SELECT ${columns} FROM ${table} WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1`,
      );
      if (!onlyIf(rows[0] ? toKey(rows[0]) : undefined)) return false;
      const key = await newKey();
      await client.query(`INSERT INTO ${table} (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)`, [
        key.kid,
        key.privateJwk,
        key.publicJwk,
      ]);
      await client.query(
        `UPDATE ${table} SET retired_at = now() WHERE retired_at IS NULL AND kid NOT IN (
           SELECT kid FROM ${table} WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT $1)`,
        [policy.published],
      );
      return true;
    });

  /** The published keys, newest first. */
  const load = async (): Promise<StoredKey[]> => {
    if (cache && now() - cache.at < CACHE_MS) return cache.keys;
    const read = async () =>
      (
        await pool.query(
          `SELECT ${columns} FROM ${table} WHERE retired_at IS NULL ORDER BY created_at DESC, kid LIMIT $1`,
          [policy.published],
        )
      ).rows.map(toKey);
    let keys = await read();
    if (keys.length === 0) {
      await addKey((current) => current === undefined);
      keys = await read();
    }
    cache = { at: now(), keys };
    return keys;
  };

  const maxAgeMs = () => intEnv(...policy.maxAgeDays) * 24 * 3600 * 1000;
  const publishDelayMs = () => intEnv(...policy.publishDelayMinutes) * 60 * 1000;

  return {
    /**
     * The key that signs: the newest one published for longer than verifiers cache the JWKS, so no verifier meets
     * a kid it has not fetched yet. The very first key signs at once: there is nothing older.
     */
    async current(): Promise<{ kid: string; key: SigningKey }> {
      const keys = await load();
      const key =
        keys.find((candidate) => now() - candidate.createdAt.getTime() >= publishDelayMs()) ??
        keys[keys.length - 1];
      if (!key) throw new Error('no signing key');
      if (signer?.kid !== key.kid)
        signer = { kid: key.kid, key: await importJWK(key.privateJwk as JWK, alg) };
      return signer;
    },
    /** The published public keys, newest first. */
    async jwks(): Promise<{ keys: JWK[] }> {
      return { keys: (await load()).map((key) => key.publicJwk as JWK) };
    },
    /** Adds a new current key when the current one has reached its maximum age (or there is none). */
    async rotateIfDue(): Promise<boolean> {
      const rotated = await addKey(
        (current) => !current || now() - current.createdAt.getTime() >= maxAgeMs(),
      );
      if (rotated) cache = undefined;
      return rotated;
    },
  };
}
