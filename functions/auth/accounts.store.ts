// SQL for accounts, OAuth clients and refresh tokens (parameterised only). Account creation and its
// UserRegistered message commit together through the outbox.
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';
import type { Envelope } from '../../layers/common/messages';
import { enqueue } from '../../layers/common/outbox';
import type { Account, AuthStore, Client, RefreshRecord, RotateResult } from './oauth';

interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
}
const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  email: row.email,
  passwordHash: row.password_hash,
  firstName: row.first_name,
  lastName: row.last_name,
});
const ACCOUNT_COLUMNS = 'id, email, password_hash, first_name, last_name';

/** Locks the account that owns a refresh token; false when no such token exists. */
async function lockAccountOfToken(client: pg.PoolClient, tokenHash: Buffer): Promise<boolean> {
  const { rowCount } = await client.query(
    'SELECT 1 FROM accounts WHERE id = (SELECT account_id FROM refresh_tokens WHERE token_hash = $1) FOR UPDATE',
    [tokenHash],
  );
  return rowCount === 1;
}

export function pgAuthStore(pool: pg.Pool): AuthStore {
  return {
    async findAccountByEmail(email) {
      const { rows } = await pool.query<AccountRow>(
        `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE email_normalized = $1`,
        [email.toLowerCase()],
      );
      return rows[0] ? toAccount(rows[0]) : undefined;
    },

    async findAccount(id) {
      const { rows } = await pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? toAccount(rows[0]) : undefined;
    },

    async findClient(id) {
      const { rows } = await pool.query<{ id: string; grant_types: string[]; scopes: string[] }>(
        'SELECT id, grant_types, scopes FROM oauth_clients WHERE id = $1',
        [id],
      );
      const row = rows[0];
      return row
        ? ({ id: row.id, grantTypes: row.grant_types, scopes: row.scopes } satisfies Client)
        : undefined;
    },

    async createAccount(account, message: Envelope) {
      return withTransaction(pool, async (client) => {
        const inserted = await client.query(
          `INSERT INTO accounts (id, email, email_normalized, password_hash, first_name, last_name)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email_normalized) DO NOTHING`,
          [
            account.id,
            account.email,
            account.email.toLowerCase(),
            account.passwordHash,
            account.firstName,
            account.lastName,
          ],
        );
        if (inserted.rowCount === 0) return 'duplicate' as const;
        await enqueue(client, { topic: 'auth-events' }, [message]);
        return 'created' as const;
      });
    },

    async insertRefreshToken(token: RefreshRecord) {
      await pool.query(
        `INSERT INTO refresh_tokens (id, family_id, account_id, client_id, token_hash, scope, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          token.id,
          token.familyId,
          token.accountId,
          token.clientId,
          token.tokenHash,
          token.scope,
          token.expiresAt,
        ],
      );
    },

    async rotateRefreshToken(tokenHash, clientId, next): Promise<RotateResult> {
      return withTransaction(pool, async (client) => {
        // Every change to an account's refresh tokens (rotation, revocation, password change) first locks the
        // account row, so a revocation always sees the token a concurrent rotation is issuing.
        if (!(await lockAccountOfToken(client, tokenHash))) return { status: 'unknown' };
        const { rows } = await client.query<{
          id: string;
          family_id: string;
          account_id: string;
          client_id: string;
          scope: string;
          expires_at: Date;
          used_at: Date | null;
          revoked_at: Date | null;
        }>(
          `SELECT id, family_id, account_id, client_id, scope, expires_at, used_at, revoked_at
           FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
          [tokenHash],
        );
        const row = rows[0];
        if (!row || row.client_id !== clientId) return { status: 'unknown' };
        if (row.revoked_at) return { status: 'revoked' };
        if (row.used_at) {
          // A spent token presented again: someone holds a copy. Revoke the whole family, the thief's and the user's.
          await client.query(
            'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
            [row.family_id],
          );
          return { status: 'reused', familyId: row.family_id };
        }
        if (row.expires_at.getTime() <= Date.now()) return { status: 'expired' };
        await client.query('UPDATE refresh_tokens SET used_at = now() WHERE id = $1', [row.id]);
        const replacement = next({ familyId: row.family_id, accountId: row.account_id, scope: row.scope });
        await client.query(
          `INSERT INTO refresh_tokens (id, family_id, account_id, client_id, token_hash, scope, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            replacement.id,
            replacement.familyId,
            replacement.accountId,
            clientId,
            replacement.tokenHash,
            replacement.scope,
            replacement.expiresAt,
          ],
        );
        return { status: 'rotated', accountId: row.account_id, familyId: row.family_id, scope: row.scope };
      });
    },

    async familyOf(tokenHash, clientId) {
      const { rows } = await pool.query<{ family_id: string }>(
        'SELECT family_id FROM refresh_tokens WHERE token_hash = $1 AND client_id = $2',
        [tokenHash, clientId],
      );
      return rows[0]?.family_id;
    },

    async revokeFamily(familyId, accountId) {
      await withTransaction(pool, async (client) => {
        await client.query(
          `SELECT 1 FROM accounts WHERE id = (SELECT account_id FROM refresh_tokens WHERE family_id = $1 LIMIT 1) FOR UPDATE`,
          [familyId],
        );
        await client.query(
          `UPDATE refresh_tokens SET revoked_at = now()
           WHERE family_id = $1 AND ($2::uuid IS NULL OR account_id = $2) AND revoked_at IS NULL`,
          [familyId, accountId ?? null],
        );
      });
    },

    async changePassword(accountId, passwordHash, keepFamily) {
      await withTransaction(pool, async (client) => {
        await client.query(
          'UPDATE accounts SET password_hash = $2, password_changed_at = now() WHERE id = $1',
          [accountId, passwordHash],
        );
        await client.query(
          `UPDATE refresh_tokens SET revoked_at = now()
           WHERE account_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2)`,
          [accountId, keepFamily ?? null],
        );
      });
    },
  };
}
