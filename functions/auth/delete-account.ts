// DELETE /v1/me: the caller deletes their account, re-authenticated by their password; refused (409) while they
// organize events still on sale. Every sign-in ends at once; the other services forget the person through the outbox.
import type { OrganizerCommitments } from '../../events/contracts/privacy';
import { getPool } from '../../layers/common/db';
import { AppError, ServiceUnavailableError } from '../../layers/common/errors';
import { httpHandler, noContent } from '../../layers/common/http';
import { invokeInternal } from '../../layers/common/internal';
import { relayNow } from '../../layers/common/outbox-relay';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { type AccountDeletionDeps, deleteOwnAccount } from './account-deletion';
import { pgAccountDeletionStore } from './account-deletion.store';
import { pgAuthStore } from './accounts.store';
import { auth } from './manifest';
import { verifyPassword } from './passwords';
import { rateLimiter, rateLimits } from './rate-limits';

async function upcomingOnSale(userId: string, correlationId: string) {
  try {
    const answer = await invokeInternal<OrganizerCommitments>(
      'events.organizerCommitments',
      { userId },
      correlationId,
    );
    return answer.upcomingOnSale;
  } catch (error) {
    if (error instanceof AppError) throw error;
    // Without the answer the account must stay: deleting it could strand the buyers of its events.
    throw new ServiceUnavailableError('Your events cannot be checked right now; try again shortly.');
  }
}

async function realDeps(): Promise<AccountDeletionDeps> {
  const pool = await getPool('auth');
  const accounts = pgAuthStore(pool);
  return {
    findAccount: (id) => accounts.findAccount(id),
    verifyPassword,
    upcomingOnSale,
    store: pgAccountDeletionStore(pool),
    now: () => new Date(),
  };
}

export const handler = httpHandler(
  'auth',
  auth.routes.deleteAccount,
  async ({ body, caller, correlationId }) => {
    // Guessing the password through this route is throttled like guessing it at the token endpoint.
    await enforceRateLimits(rateLimiter(), [
      { rule: rateLimits().tokenPerAccount, subject: `user:${caller.userId}` },
    ]);
    await deleteOwnAccount(await realDeps(), caller.userId, body.password, correlationId);
    await relayNow('auth');
    return noContent();
  },
);
