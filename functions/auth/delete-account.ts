// DELETE /v1/me: the caller deletes their account, re-authenticated by their password (and a code with two-step
// sign-in on); refused (409) while they organize events still on sale. Every sign-in ends at once; the other services forget the person through the outbox.
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
import { noticeOf, twoFactorService } from './deps';
import { auth } from './manifest';
import { guard, rateLimiter, rateLimits } from './rate-limits';

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

async function realDeps(ip: string): Promise<AccountDeletionDeps> {
  const pool = await getPool('auth');
  const accounts = pgAuthStore(pool);
  const twoFactor = await twoFactorService()();
  return {
    findAccount: (id) => accounts.findAccount(id),
    reauthenticate: async (account, proof) => {
      await twoFactor.reauthenticate(account, proof, { guard: guard(), ip });
    },
    notice: (account, correlationId) => noticeOf(account, 'account-deleted', correlationId),
    upcomingOnSale,
    store: pgAccountDeletionStore(pool),
    now: () => new Date(),
  };
}

export const handler = httpHandler(
  'auth',
  auth.routes.deleteAccount,
  async ({ body, caller, correlationId, sourceIp }) => {
    // Guessing the password through this route is throttled like guessing it at the token endpoint.
    await enforceRateLimits(rateLimiter(), [
      { rule: rateLimits().tokenPerAccount, subject: `user:${caller.userId}` },
    ]);
    await deleteOwnAccount(await realDeps(sourceIp), caller.userId, body, correlationId);
    await relayNow('auth');
    return noContent();
  },
);
