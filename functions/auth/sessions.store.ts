// SQL of "my sign-ins": each refresh-token family still alive is one sign-in (parameterised only).
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';

export interface SignIn {
  id: string;
  clientId: string;
  createdAt: string;
  /** The last refresh (or the sign-in itself when never refreshed). */
  lastUsedAt: string;
  /** The client address and user agent of the last token issued to it (null for tokens older than their capture). */
  ip: string | null;
  userAgent: string | null;
}

export function pgSessionStore(pool: pg.Pool) {
  return {
    /** The account's sign-ins that can still be refreshed, most recently used first. */
    async list(accountId: string): Promise<SignIn[]> {
      const { rows } = await pool.query<{
        family_id: string;
        client_id: string;
        created: Date;
        last_used: Date;
        ip: string | null;
        user_agent: string | null;
      }>(
        `SELECT family_id, client_id, min(created_at) AS created, max(created_at) AS last_used,
                (array_agg(ip ORDER BY created_at DESC))[1] AS ip,
                (array_agg(user_agent ORDER BY created_at DESC))[1] AS user_agent
         FROM refresh_tokens WHERE account_id = $1
         GROUP BY family_id, client_id
         HAVING count(*) FILTER (WHERE revoked_at IS NULL AND used_at IS NULL AND expires_at > now()) > 0
         ORDER BY last_used DESC LIMIT 100`,
        [accountId],
      );
      return rows.map((row) => ({
        id: row.family_id,
        clientId: row.client_id,
        createdAt: row.created.toISOString(),
        lastUsedAt: row.last_used.toISOString(),
        ip: row.ip,
        userAgent: row.user_agent,
      }));
    },

    /** Ends one sign-in of the account, or all of them; a sign-in of another account is left alone. */
    async revoke(accountId: string, familyId?: string): Promise<void> {
      await withTransaction(pool, async (client) => {
        // The account row first, as for every change to its refresh tokens (see accounts.store.ts).
        await client.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);
        await client.query(
          `UPDATE refresh_tokens SET revoked_at = now()
           WHERE account_id = $1 AND ($2::uuid IS NULL OR family_id = $2) AND revoked_at IS NULL`,
          [accountId, familyId ?? null],
        );
      });
    },
  };
}
