// SQL for accounts, OAuth clients, authorization codes and refresh tokens (parameterised only). Account creation and its
// UserRegistered message commit together through the outbox.
import type pg from 'pg';
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { withTransaction } from '../../layers/common/db';
import type { Envelope } from '../../layers/common/messages';
import { enqueue } from '../../layers/common/outbox';
import type {
  Account,
  AuthStore,
  Client,
  CodeRecord,
  RedeemResult,
  RefreshRecord,
  RotateResult,
} from './oauth';

interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  email_verified: boolean;
  two_factor: boolean;
}
const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  email: row.email,
  passwordHash: row.password_hash,
  firstName: row.first_name,
  lastName: row.last_name,
  emailVerified: row.email_verified,
  twoFactor: row.two_factor,
});
const ACCOUNT_COLUMNS =
  'id, email, password_hash, first_name, last_name, email_verified_at IS NOT NULL AS email_verified, totp_enabled_at IS NOT NULL AS two_factor';

const INSERT_REFRESH = `INSERT INTO refresh_tokens
  (id, family_id, account_id, client_id, token_hash, scope, expires_at, lifetime_seconds, ip, user_agent)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
const refreshValues = (token: Omit<RefreshRecord, 'clientId'>, clientId: string) => [
  token.id,
  token.familyId,
  token.accountId,
  clientId,
  token.tokenHash,
  token.scope,
  token.expiresAt,
  token.lifetimeSeconds ?? null,
  token.ip ?? null,
  token.userAgent ?? null,
];

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
      const { rows } = await pool.query<{
        id: string;
        grant_types: string[];
        scopes: string[];
        redirect_uris: string[];
      }>('SELECT id, grant_types, scopes, redirect_uris FROM oauth_clients WHERE id = $1', [id]);
      const row = rows[0];
      return row
        ? ({
            id: row.id,
            grantTypes: row.grant_types,
            scopes: row.scopes,
            redirectUris: row.redirect_uris,
          } satisfies Client)
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
        await enqueue(client, { topic: AUTH_EVENTS_TOPIC }, [message]);
        return 'created' as const;
      });
    },

    async insertRefreshToken(token: RefreshRecord) {
      await pool.query(INSERT_REFRESH, refreshValues(token, token.clientId));
    },

    async rotateRefreshToken(tokenHash, clientId, graceSeconds, next): Promise<RotateResult> {
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
          lifetime_seconds: number | null;
          successor_sealed: Buffer | null;
          replayable: boolean;
        }>(
          `SELECT t.id, t.family_id, t.account_id, t.client_id, t.scope, t.expires_at, t.used_at, t.revoked_at,
                  t.lifetime_seconds, t.successor_sealed,
                  (t.used_at > now() - make_interval(secs => $2::double precision)
                   AND s.used_at IS NULL AND s.revoked_at IS NULL) AS replayable
           FROM refresh_tokens t LEFT JOIN refresh_tokens s ON s.id = t.successor_id
           WHERE t.token_hash = $1 FOR UPDATE OF t`,
          [tokenHash, graceSeconds],
        );
        const row = rows[0];
        if (!row || row.client_id !== clientId) return { status: 'unknown' };
        if (row.revoked_at) return { status: 'revoked' };
        if (row.used_at && row.replayable && row.successor_sealed)
          return { status: 'replayed', sealed: row.successor_sealed };
        if (row.used_at) {
          // A spent token presented again: someone holds a copy. Revoke the whole family, the thief's and the user's.
          await client.query(
            'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
            [row.family_id],
          );
          return { status: 'reused', familyId: row.family_id };
        }
        if (row.expires_at.getTime() <= Date.now()) return { status: 'expired' };
        const { record, sealed } = await next({
          familyId: row.family_id,
          accountId: row.account_id,
          scope: row.scope,
          lifetimeSeconds: row.lifetime_seconds ?? undefined,
        });
        await client.query(INSERT_REFRESH, refreshValues(record, clientId));
        await client.query(
          'UPDATE refresh_tokens SET used_at = now(), successor_id = $2, successor_sealed = $3 WHERE id = $1',
          [row.id, record.id, sealed],
        );
        return { status: 'rotated' };
      });
    },

    async insertAuthorizationCode(code: CodeRecord) {
      await pool.query(
        `INSERT INTO authorization_codes
           (code_hash, client_id, account_id, redirect_uri, code_challenge, scope, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          code.codeHash,
          code.clientId,
          code.accountId,
          code.redirectUri,
          code.codeChallenge,
          code.scope,
          code.expiresAt,
        ],
      );
      // Codes live a minute; a day later even a replay has nothing left to revoke. A few at a time, no job needed.
      await pool.query(
        `DELETE FROM authorization_codes WHERE code_hash IN (
           SELECT code_hash FROM authorization_codes WHERE expires_at < now() - interval '1 day' LIMIT 100)`,
      );
    },

    async redeemAuthorizationCode(codeHash, decide): Promise<RedeemResult> {
      return withTransaction(pool, async (client) => {
        // The account row first, as for every change to its refresh tokens (see rotateRefreshToken).
        await client.query(
          `SELECT 1 FROM accounts WHERE id = (SELECT account_id FROM authorization_codes WHERE code_hash = $1)
           FOR UPDATE`,
          [codeHash],
        );
        const { rows } = await client.query<{
          client_id: string;
          account_id: string;
          redirect_uri: string;
          code_challenge: string;
          scope: string;
          expires_at: Date;
          used_at: Date | null;
          family_id: string | null;
        }>(
          `SELECT client_id, account_id, redirect_uri, code_challenge, scope, expires_at, used_at, family_id
           FROM authorization_codes WHERE code_hash = $1 FOR UPDATE`,
          [codeHash],
        );
        const row = rows[0];
        if (!row) return { status: 'unknown' };
        if (row.used_at) {
          if (row.family_id) {
            await client.query(
              'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
              [row.family_id],
            );
          }
          return { status: 'reused' };
        }
        const code: CodeRecord = {
          codeHash,
          clientId: row.client_id,
          accountId: row.account_id,
          redirectUri: row.redirect_uri,
          codeChallenge: row.code_challenge,
          scope: row.scope,
          expiresAt: row.expires_at,
        };
        const verdict = decide(code);
        if ('refused' in verdict) {
          await client.query('UPDATE authorization_codes SET used_at = now() WHERE code_hash = $1', [
            codeHash,
          ]);
          return { status: 'refused', reason: verdict.refused };
        }
        await client.query(INSERT_REFRESH, refreshValues(verdict.refresh, row.client_id));
        await client.query(
          'UPDATE authorization_codes SET used_at = now(), family_id = $2 WHERE code_hash = $1',
          [codeHash, verdict.refresh.familyId],
        );
        return { status: 'issued', code };
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
        await revokeOtherSignIns(client, accountId, keepFamily);
      });
    },
  };
}

/** Revokes every refresh token of the account but those of keepFamily (the caller's own sign-in), if given. */
export async function revokeOtherSignIns(client: pg.PoolClient, accountId: string, keepFamily?: string) {
  await client.query(
    `UPDATE refresh_tokens SET revoked_at = now()
     WHERE account_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2)`,
    [accountId, keepFamily ?? null],
  );
}
