// Consumes catalogue-events: EventChanged keeps the event's details (and tells every holder once when it moved),
// EventCancelled keeps the organizer's reason for the cancellation emails, TeamInvitationSent emails the invitee.
// Throwing fails the record: it is redelivered and, after the queue's maxReceiveCount, lands in the DLQ.
import { CatalogueMessageTypes } from '../../events/contracts/catalogue';
import { TeamMessageTypes } from '../../events/contracts/team-invitations';
import { sqsConsumer } from '../../layers/common/consumer';
import { countMetric } from '../../layers/common/metrics';
import { onEventChanged, onTeamInvitation } from './event-changes';
import { failedBeforeSending, type SendDeps } from './notifications';
import { sendDeps } from './send.deps';
import { dataOf } from './ticket-events.consumer';

export function makeHandler(deps: () => SendDeps) {
  return sqsConsumer(
    'notifications',
    async ({ envelope, log, signal }) => {
      const { EventChanged, EventCancelled } = CatalogueMessageTypes;
      const { TeamInvitationSent } = TeamMessageTypes;
      if (envelope.type === EventChanged.type) {
        const change = dataOf(envelope, EventChanged);
        const outcome = await onEventChanged({ ...deps(), signal }, change, log);
        if (outcome !== 'stale' && outcome.sent > 0) countMetric('notifications', 'EmailsSent', outcome.sent);
        log.info('event change handled', { event_id: change.eventId, changed: change.changed, outcome });
      } else if (envelope.type === EventCancelled.type) {
        const cancelled = dataOf(envelope, EventCancelled);
        await deps().details.recordCancelReason(cancelled, new Date(envelope.occurredAt));
        log.info('event cancellation kept', { event_id: cancelled.eventId });
      } else if (envelope.type === TeamInvitationSent.type) {
        const invitation = dataOf(envelope, TeamInvitationSent);
        const outcome = await onTeamInvitation({ ...deps(), signal }, invitation, log);
        if (outcome === 'sent') countMetric('notifications', 'EmailsSent');
        log.info('team invitation handled', { invitation_id: invitation.invitationId, outcome });
      } else {
        log.info('message ignored: not a type this consumer handles');
      }
    },
    { retrySoon: failedBeforeSending },
  );
}

export const handler = makeHandler(sendDeps);
