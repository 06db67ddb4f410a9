// Deleting one's own account (GDPR article 17). The owner proves it is them with their password, and a code when
// two-step sign-in is on (an access token alone, perhaps left in an unattended browser or stolen, cannot erase an
// account); an organizer whose published events have
// not ended must cancel them first, since buyers rely on them. Then the account and every token of it go at once,
// and AccountDeleted tells each service to delete or anonymise what it holds about the person; the owner is emailed.
import { PrivacyMessageTypes } from '../../events/contracts/privacy';
import { ConflictError } from '../../layers/common/errors';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { AccountDeletionStore } from './account-deletion.store';
import type { Account } from './oauth';

export interface UpcomingEvent {
  id: string;
  name: string;
  startsAt: string;
}

export interface AccountDeletionDeps {
  findAccount(id: string): Promise<Account | undefined>;
  /** Proves the owner: the password, and a code when two-step sign-in is on; throws 403 (or 429) otherwise. */
  reauthenticate(account: Account, proof: { password: string; code?: string }): Promise<void>;
  /** The email telling the owner their account was deleted. */
  notice(account: Account, correlationId: string): Envelope;
  /** The caller's published events that have not ended (the events service knows). */
  upcomingOnSale(userId: string, correlationId: string): Promise<UpcomingEvent[]>;
  store: AccountDeletionStore;
  now: () => Date;
}

export type DeletionOutcome = 'deleted' | 'already-deleted';

export async function deleteOwnAccount(
  deps: AccountDeletionDeps,
  userId: string,
  proof: { password: string; code?: string },
  correlationId: string,
): Promise<DeletionOutcome> {
  const account = await deps.findAccount(userId);
  // A retry after a lost answer: the token still names the account that is gone, and there is nothing left to do.
  if (!account) return 'already-deleted';
  await deps.reauthenticate(account, proof);
  const upcoming = await deps.upcomingOnSale(account.id, correlationId);
  if (upcoming.length > 0) {
    throw new ConflictError(
      `You organize ${upcoming.length === 1 ? 'an event' : `${upcoming.length} events`} still on sale. ` +
        'Cancel them (their buyers are refunded and told) or wait until they have ended, then delete your account.',
      'organizer-has-upcoming-events',
      { events: upcoming },
    );
  }
  const contract = PrivacyMessageTypes.AccountDeleted;
  const message = envelope(
    'auth',
    contract.type,
    contract.version,
    contract.schema.parse({ userId: account.id, email: account.email, deletedAt: deps.now().toISOString() }),
    correlationId,
  );
  const deleted = await deps.store.deleteAccount(account.id, message, deps.notice(account, correlationId));
  return deleted ? 'deleted' : 'already-deleted';
}
