// What notifications does with catalogue-events: keeps each event's street address or join link and the organizer's
// cancellation reason (ticket messages carry neither), tells every holder once when an event moves in time or place
// (its reminders re-timed from the new start), and emails team invitations.

import type * as z from 'zod';
import type { EventCancelledV1, EventChangedV1, eventLocation } from '../../events/contracts/catalogue';
import type { TeamInvitationSentV1 } from '../../events/contracts/team-invitations';
import { eventChangedEmail, invitationEmail } from './event-templates';
import { type DeliveryOutcome, deliverOnce, type Holder, type Log, type SendDeps } from './notifications';

export type EventLocation = z.infer<typeof eventLocation>;

/** What catalogue-events told of an event beyond the ticket messages' snapshot. */
export interface EventDetails {
  location: EventLocation | null;
  cancelReason: string | null;
}

export interface EventDetailsStore {
  detailsOf(eventId: string): Promise<EventDetails | undefined>;
  /**
   * Keeps the event as the message describes it unless a newer one was kept (then false). Applied, it also brings
   * every holding's snapshot of the event up to date and drops reminder claims timed from another start, so the
   * scan re-queues them from the new one.
   */
  applyChange(change: EventChangedV1): Promise<boolean>;
  recordCancelReason(cancelled: EventCancelledV1, at: Date): Promise<void>;
  /** Every holder of valid tickets of the event, with their tickets. */
  holdersOf(eventId: string): Promise<Holder[]>;
}

export async function onEventChanged(
  deps: SendDeps,
  change: EventChangedV1,
  log: Log,
): Promise<{ sent: number; holders: number } | 'stale'> {
  // Applied again on a redelivery (same asOf), so emails a failed attempt did not send go out now.
  if (!(await deps.details.applyChange(change))) {
    log.info('an event change older than the one kept: ignored', { event_id: change.eventId });
    return 'stale';
  }
  if (change.changed.length === 0) return { sent: 0, holders: 0 };
  const holders = await deps.details.holdersOf(change.eventId);
  let sent = 0;
  for (const holder of holders) {
    const email = eventChangedEmail(holder, change, deps.webAppUrl);
    const outcome: DeliveryOutcome = await deliverOnce(
      deps,
      {
        key: `event-changed:${change.eventId}:${holder.userId}:${change.asOf}`,
        kind: 'event-changed',
        userId: holder.userId,
        to: holder.email,
        subject: email.subject,
        eventId: change.eventId,
      },
      email,
      log,
    );
    if (outcome === 'sent') sent += 1;
  }
  return { sent, holders: holders.length };
}

export async function onTeamInvitation(
  deps: SendDeps,
  invitation: TeamInvitationSentV1,
  log: Log,
): Promise<DeliveryOutcome> {
  const email = invitationEmail(invitation, deps.webAppUrl);
  return deliverOnce(
    deps,
    {
      key: `team-invitation:${invitation.invitationId}`,
      kind: 'team-invitation',
      to: invitation.email,
      subject: email.subject,
      ...(invitation.eventId ? { eventId: invitation.eventId } : {}),
    },
    email,
    log,
  );
}
