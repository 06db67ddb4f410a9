// SQL for the signing keys of access tokens.
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';

export interface StoredKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: Date;
}

const toKey = (row: {
  kid: string;
  private_jwk: Record<string, unknown>;
  public_jwk: Record<string, unknown>;
  created_at: Date;
}): StoredKey => ({
  kid: row.kid,
  privateJwk: row.private_jwk,
  publicJwk: row.public_jwk,
  createdAt: row.created_at,
});

/** The keys still published, newest (the one that signs) first. */
export async function activeKeys(pool: pg.Pool): Promise<StoredKey[]> {
  const { rows } = await pool.query(
    'SELECT kid, private_jwk, public_jwk, created_at FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid LIMIT 2',
  );
  return rows.map(toKey);
}

/**
 * Adds a key as the current one and retires all but it and its predecessor, so the JWKS always carries the
 * current and the previous key. Serialised by an advisory lock: concurrent rotations never race.
 * `onlyIf` decides, under the lock, whether a new key is still needed (another container may have just added one).
 */
export async function addKey(
  pool: pg.Pool,
  make: () => Promise<Omit<StoredKey, 'createdAt'>>,
  onlyIf: (current: StoredKey | undefined) => boolean,
): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))");
    const { rows } = await client.query(
      'SELECT kid, private_jwk, public_jwk, created_at FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    );
    if (!onlyIf(rows[0] ? toKey(rows[0]) : undefined)) return false;
    const key = await make();
    await client.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)', [
      key.kid,
      key.privateJwk,
      key.publicJwk,
    ]);
    await client.query(
      `UPDATE signing_keys SET retired_at = now()
       WHERE retired_at IS NULL AND kid NOT IN (
         SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 2)`,
    );
    return true;
  });
}
