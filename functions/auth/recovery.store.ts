// SQL of account tokens (password reset, email verification), parameterised only. A token and the email carrying it
// commit together through the outbox; spending a token and what it does commit together too.
import type pg from 'pg';
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { withTransaction } from '../../layers/common/db';
import { enqueue } from '../../layers/common/outbox';
import { pgAuthStore } from './accounts.store';
import type { RecoveryStore, TokenPurpose } from './recovery';

/** Spends an unspent, unexpired token of a purpose inside the caller's transaction; its account, or undefined. */
async function spend(
  client: pg.PoolClient,
  tokenHash: Buffer,
  purpose: TokenPurpose,
): Promise<string | undefined> {
  const { rows } = await client.query<{ account_id: string }>(
    `UPDATE account_tokens SET used_at = now()
     WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
     RETURNING account_id`,
    [tokenHash, purpose],
  );
  return rows[0]?.account_id;
}

export function pgRecoveryStore(pool: pg.Pool): RecoveryStore {
  const accounts = pgAuthStore(pool);
  return {
    findAccountByEmail: accounts.findAccountByEmail,
    findAccount: accounts.findAccount,

    async enqueueEmail(message) {
      await withTransaction(pool, (client) => enqueue(client, { topic: AUTH_EVENTS_TOPIC }, [message]));
    },

    async issueToken(token, message) {
      await withTransaction(pool, async (client) => {
        await client.query(
          'INSERT INTO account_tokens (token_hash, account_id, purpose, expires_at) VALUES ($1, $2, $3, $4)',
          [token.tokenHash, token.accountId, token.purpose, token.expiresAt],
        );
        await enqueue(client, { topic: AUTH_EVENTS_TOPIC }, [message]);
        // Spent and expired tokens are of no use a day later; a few at a time, no job needed.
        await client.query(
          `DELETE FROM account_tokens WHERE token_hash IN (
             SELECT token_hash FROM account_tokens WHERE expires_at < now() - interval '1 day' LIMIT 100)`,
        );
      });
    },

    async accountOfToken(tokenHash, purpose) {
      const { rows } = await pool.query<{ account_id: string }>(
        `SELECT account_id FROM account_tokens
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()`,
        [tokenHash, purpose],
      );
      return rows[0] ? accounts.findAccount(rows[0].account_id) : undefined;
    },

    async resetPassword(tokenHash, passwordHash) {
      return withTransaction(pool, async (client) => {
        // The account row first, as for every change to its refresh tokens (see accounts.store.ts).
        await client.query(
          'SELECT 1 FROM accounts WHERE id = (SELECT account_id FROM account_tokens WHERE token_hash = $1) FOR UPDATE',
          [tokenHash],
        );
        const accountId = await spend(client, tokenHash, 'password-reset');
        if (!accountId) return false;
        // Whoever can read the mailbox proved it: the address counts as verified.
        await client.query(
          `UPDATE accounts SET password_hash = $2, password_changed_at = now(),
             email_verified_at = coalesce(email_verified_at, now())
           WHERE id = $1`,
          [accountId, passwordHash],
        );
        await client.query(
          `UPDATE account_tokens SET used_at = now()
           WHERE account_id = $1 AND purpose = 'password-reset' AND used_at IS NULL`,
          [accountId],
        );
        await client.query(
          'UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL',
          [accountId],
        );
        return true;
      });
    },

    async verifyEmail(tokenHash) {
      return withTransaction(pool, async (client) => {
        const accountId = await spend(client, tokenHash, 'verify-email');
        if (!accountId) return false;
        await client.query(
          'UPDATE accounts SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1',
          [accountId],
        );
        return true;
      });
    },
  };
}
