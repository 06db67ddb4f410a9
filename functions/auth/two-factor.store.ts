// SQL of two-step sign-in: the account's TOTP secret and last spent step, recovery codes and sign-in challenges
// (parameterised only). Turning it on and ending the account's other sign-ins commit together; each change commits
// with the notice emailed to the owner (through the outbox). The TOTP secret is stored sealed (totp-secrets.ts); one
// stored before encryption, or sealed with a key since rotated out of first place, is sealed again when it is read:
// a SQL migration cannot encrypt (the key is not in the database), and every code check reads the secret first.
import type pg from 'pg';
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { withTransaction } from '../../layers/common/db';
import type { Envelope } from '../../layers/common/messages';
import { enqueue } from '../../layers/common/outbox';
import { revokeOtherSignIns } from './accounts.store';
import type { SecretBox } from './totp-secrets';
import type { Challenge, TwoFactorStore } from './two-factor';

const queueNotice = (client: pg.PoolClient, notice: Envelope) =>
  enqueue(client, { topic: AUTH_EVENTS_TOPIC }, [notice]);

async function storeRecoveryCodes(client: pg.PoolClient, accountId: string, codeHashes: Buffer[]) {
  await client.query('DELETE FROM recovery_codes WHERE account_id = $1', [accountId]);
  await client.query('INSERT INTO recovery_codes (code_hash, account_id) SELECT unnest($2::bytea[]), $1', [
    accountId,
    codeHashes,
  ]);
}

/** The store; `box` (the key, read at first use) is only needed by functions that check codes or enrol. */
export function pgTwoFactorStore(pool: pg.Pool, box: () => Promise<SecretBox>): TwoFactorStore {
  /** The account's secret, opened; undefined when none is stored. Sealed again when stale. */
  const openSecret = async (client: pg.Pool | pg.PoolClient, accountId: string, lock = false) => {
    const { rows } = await client.query<{ totp_secret: string | null }>(
      `SELECT totp_secret FROM accounts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [accountId],
    );
    const stored = rows[0]?.totp_secret;
    if (!stored) return undefined;
    const keys = await box();
    const { secret, stale } = keys.open(accountId, stored);
    if (stale) {
      await client.query('UPDATE accounts SET totp_secret = $3 WHERE id = $1 AND totp_secret = $2', [
        accountId,
        stored,
        keys.seal(accountId, secret),
      ]);
    }
    return secret;
  };

  return {
    secret: (accountId) => openSecret(pool, accountId),

    async state(accountId) {
      const { rows } = await pool.query<{
        enabled: boolean;
        totp_last_step: string | null;
        left: number;
      }>(
        `SELECT totp_enabled_at IS NOT NULL AS enabled, totp_last_step,
                (SELECT count(*)::int FROM recovery_codes WHERE account_id = a.id AND used_at IS NULL) AS left
         FROM accounts a WHERE id = $1`,
        [accountId],
      );
      const row = rows[0];
      return {
        enabled: row?.enabled ?? false,
        lastStep: row?.totp_last_step == null ? undefined : Number(row.totp_last_step),
        recoveryCodesLeft: row?.left ?? 0,
      };
    },

    async startEnrolment(accountId, secret) {
      const sealed = (await box()).seal(accountId, secret);
      const { rowCount } = await pool.query(
        'UPDATE accounts SET totp_secret = $2 WHERE id = $1 AND totp_enabled_at IS NULL',
        [accountId, sealed],
      );
      return rowCount === 1;
    },

    async enable(accountId, secret, step, codeHashes, notice, keepFamily) {
      return withTransaction(pool, async (client) => {
        // Sealing is randomised, so the pending secret is compared opened, under the row's lock.
        if ((await openSecret(client, accountId, true)) !== secret) return false;
        const { rowCount } = await client.query(
          `UPDATE accounts SET totp_enabled_at = now(), totp_last_step = $2
           WHERE id = $1 AND totp_enabled_at IS NULL`,
          [accountId, step],
        );
        if (rowCount !== 1) return false;
        await storeRecoveryCodes(client, accountId, codeHashes);
        await queueNotice(client, notice);
        // Sign-ins made with the password alone end: from now on every sign-in of the account took the code.
        await revokeOtherSignIns(client, accountId, keepFamily);
        return true;
      });
    },

    async spendStep(accountId, step) {
      const { rowCount } = await pool.query(
        `UPDATE accounts SET totp_last_step = $2
         WHERE id = $1 AND totp_enabled_at IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)`,
        [accountId, step],
      );
      return rowCount === 1;
    },

    async spendRecoveryCode(accountId, codeHash) {
      const { rowCount } = await pool.query(
        `UPDATE recovery_codes SET used_at = now()
         WHERE code_hash = $2 AND account_id = $1 AND used_at IS NULL`,
        [accountId, codeHash],
      );
      return rowCount === 1;
    },

    async replaceRecoveryCodes(accountId, codeHashes, notice) {
      return withTransaction(pool, async (client) => {
        // Locks the account row: a concurrent disable commits before or after, never in between.
        const { rowCount } = await client.query(
          'SELECT 1 FROM accounts WHERE id = $1 AND totp_enabled_at IS NOT NULL FOR UPDATE',
          [accountId],
        );
        if (rowCount !== 1) return false;
        await storeRecoveryCodes(client, accountId, codeHashes);
        await queueNotice(client, notice);
        return true;
      });
    },

    async disable(accountId, notice) {
      await withTransaction(pool, async (client) => {
        await client.query(
          'UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1',
          [accountId],
        );
        await client.query('DELETE FROM recovery_codes WHERE account_id = $1', [accountId]);
        await queueNotice(client, notice);
      });
    },

    async insertChallenge(tokenHash, challenge, expiresAt) {
      await pool.query(
        `INSERT INTO mfa_challenges (token_hash, account_id, client_id, scope, expires_at)
         VALUES ($1, $2, $3, $4, $5)`,
        [tokenHash, challenge.accountId, challenge.clientId, challenge.scope, expiresAt],
      );
      // Challenges live minutes; a few spent or expired ones at a time, no job needed.
      await pool.query(
        `DELETE FROM mfa_challenges WHERE token_hash IN (
           SELECT token_hash FROM mfa_challenges WHERE expires_at < now() - interval '1 hour' LIMIT 100)`,
      );
    },

    async findChallenge(tokenHash): Promise<Challenge | undefined> {
      const { rows } = await pool.query<{ account_id: string; client_id: string; scope: string }>(
        `SELECT account_id, client_id, scope FROM mfa_challenges
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()`,
        [tokenHash],
      );
      const row = rows[0];
      return row && { accountId: row.account_id, clientId: row.client_id, scope: row.scope };
    },

    async spendChallenge(tokenHash) {
      const { rowCount } = await pool.query(
        'UPDATE mfa_challenges SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()',
        [tokenHash],
      );
      return rowCount === 1;
    },
  };
}
