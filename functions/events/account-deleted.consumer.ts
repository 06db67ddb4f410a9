// Consumes auth-events: a deleted account leaves every event team it was on, each removal announced as
// EventTeamChanged (so the door's copy in tickets drops it too) and audited as the person leaving. Running it again
// finds no membership left. The team it led goes the same way, and its address leaves invitations and audit lines.
// The account's own events stay: their buyers' orders and history refer to them.
import { PrivacyMessageTypes } from '../../events/contracts/privacy';
import { sqsConsumer } from '../../layers/common/consumer';
import { getPool } from '../../layers/common/db';
import { contractData } from '../../layers/common/message-contract';
import { realDeps } from './deps';
import { forgetTeamAddress, membershipsOf } from './memberships.store';
import { announceWith } from './team';

export const handler = sqsConsumer('events', async ({ envelope, log }) => {
  const deleted = contractData(envelope, PrivacyMessageTypes.AccountDeleted);
  if (!deleted) return;
  const deps = realDeps();
  const memberships = await membershipsOf(await getPool('events'), deleted.userId);
  for (const { organizerId, memberId } of memberships) {
    await deps.team.removeMember(organizerId, memberId, {
      actorId: deleted.userId,
      at: deps.now().toISOString(),
      audit: { action: 'team.member-account-deleted' },
      announce: announceWith(deps, envelope.correlationId),
    });
  }
  if (memberships.length > 0) await deps.relay();
  // After the removals, whose audit lines name the person too.
  const forgotten = await forgetTeamAddress(await getPool('events'), deleted.userId, deleted.email);
  log.info('deleted account removed from its teams', {
    user_id: deleted.userId,
    teams: memberships.length,
    ...forgotten,
  });
});
