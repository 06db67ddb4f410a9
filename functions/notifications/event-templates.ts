// Emails about an event rather than an order: it moved (new time or place), and an invitation to an organizer's team.
import type { EventChangedV1 } from '../../events/contracts/catalogue';
import type { TeamInvitationSentV1 } from '../../events/contracts/team-invitations';
import { formatEventTime, oneLine } from './format';
import type { Holder } from './notifications';
import {
  BRAND,
  type Email,
  eventDetailsHtml,
  eventDetailsText,
  greeting,
  h,
  layout,
  text,
} from './templates';

/** One email per holder: what moved, from what, and the event as it now stands. */
export function eventChangedEmail(holder: Holder, change: EventChangedV1, webAppUrl: string): Email {
  const name = oneLine(change.name);
  const moved = change.changed.includes('time');
  const relocated = change.changed.includes('place');
  const subject = `${moved && relocated ? 'New time and place' : moved ? 'New time' : 'New place'}: ${name}`;
  const was = [
    moved && change.previous
      ? `It was to start ${formatEventTime(change.previous.startsAt, change.timezone)}.`
      : false,
    relocated && change.previous ? `It was to take place at ${oneLine(change.previous.place)}.` : false,
  ].filter((line): line is string => line !== false);
  const details = { location: change.location, cancelReason: null };
  const intro = `The organizer has changed ${name}; your ${holder.ticketCount === 1 ? 'ticket stays' : 'tickets stay'} valid.`;
  const ticketsUrl = `${webAppUrl}/tickets`;
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>${h(greeting(holder.firstName))}</p>`,
        `<p>${h(intro)}</p>`,
        ...was.map((line) => `<p>${h(line)}</p>`),
        '<p>Here is the event as it now stands:</p>',
        eventDetailsHtml(holder.event, details),
        `<p><a href="${h(ticketsUrl)}">Your tickets</a></p>`,
      ].join('\n'),
    ),
    text: text([
      greeting(holder.firstName),
      '',
      intro,
      ...was,
      '',
      'Here is the event as it now stands:',
      ...eventDetailsText(holder.event, details),
      '',
      `Your tickets: ${ticketsUrl}`,
      '',
      `-- ${BRAND}`,
    ]),
  };
}

const ROLE_WORDS = {
  manager: 'manage (everything but cancelling)',
  'check-in': 'check tickets in at the door of',
} as const;

/** The invitation with its one-time token: accepted while signed in to the invitee's own account. */
export function invitationEmail(invitation: TeamInvitationSentV1, webAppUrl: string): Email {
  const who = oneLine(invitation.organizerName) || 'An organizer';
  const what = invitation.eventName ? oneLine(invitation.eventName) : 'all their events';
  const subject = `${who} invites you to their team on ${BRAND}`;
  const intro = `${who} invites you to ${ROLE_WORDS[invitation.role]} ${what}.`;
  const acceptUrl = `${webAppUrl}/team-invitations/accept#token=${encodeURIComponent(invitation.token)}`;
  const expires = `This invitation expires ${formatEventTime(invitation.expiresAt, 'UTC')}.`;
  const how = `Sign in (or sign up) with this email address, then accept with the token: ${invitation.token}`;
  return {
    subject,
    html: layout(
      subject,
      [
        `<p>${h(intro)}</p>`,
        `<p><a href="${h(acceptUrl)}">Accept the invitation</a></p>`,
        `<p style="font-size:12px;color:#6e6e73">${h(how)}</p>`,
        `<p>${h(expires)} If you did not expect it, ignore this email.</p>`,
      ].join('\n'),
    ),
    text: text([
      intro,
      '',
      `Accept: ${acceptUrl}`,
      how,
      '',
      `${expires} If you did not expect it, ignore this email.`,
      '',
      `-- ${BRAND}`,
    ]),
  };
}
