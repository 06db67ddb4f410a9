// The invitation to join an organizer's team, published by events on the `catalogue-events` topic for notifications
// to email. It carries the one-time token the invitee accepts with: events keeps only its hash.
import * as z from 'zod';
import { teamRole } from './catalogue';

export const teamInvitationSentV1 = z.object({
  invitationId: z.uuid(),
  organizerId: z.uuid(),
  /** The organizer's name as their account gives it, for the email's "X invites you". */
  organizerName: z.string().max(201),
  /** Null: all the organizer's events. */
  eventId: z.uuid().nullable(),
  eventName: z.string().max(200).nullable(),
  email: z.email(),
  role: teamRole,
  token: z.string().min(32).max(128),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type TeamInvitationSentV1 = z.infer<typeof teamInvitationSentV1>;

export const TeamMessageTypes = {
  TeamInvitationSent: { type: 'TeamInvitationSent', version: 1, schema: teamInvitationSentV1 },
} as const;
