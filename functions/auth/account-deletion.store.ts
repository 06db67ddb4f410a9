// SQL of account deletion (parameterized only): the account row goes, and with it (ON DELETE CASCADE) every refresh
// token, authorization code, emailed secret and second factor; the AccountDeleted message and the notice to the owner
// commit with it.
import type pg from 'pg';
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { withTransaction } from '../../layers/common/db';
import type { Envelope } from '../../layers/common/messages';
import { enqueue } from '../../layers/common/outbox';

export interface AccountDeletionStore {
  /** Deletes the account and writes the messages in one transaction; false when there was no such account. */
  deleteAccount(accountId: string, message: Envelope, notice: Envelope): Promise<boolean>;
}

export function pgAccountDeletionStore(pool: pg.Pool): AccountDeletionStore {
  return {
    async deleteAccount(accountId, message, notice) {
      return withTransaction(pool, async (client) => {
        // Deleting the row locks it, as every change to the account's refresh tokens does first (accounts.store.ts):
        // a rotation in flight either commits before (and its token is deleted too) or finds no account.
        const { rowCount } = await client.query('DELETE FROM accounts WHERE id = $1', [accountId]);
        if (rowCount !== 1) return false;
        await enqueue(client, { topic: AUTH_EVENTS_TOPIC }, [message, notice]);
        return true;
      });
    },
  };
}
