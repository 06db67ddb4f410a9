// Messages the users service publishes on the `users-events` topic. Versioned: a breaking change is a new version.
import * as z from 'zod';
import { USER_EVENTS_TOPIC } from './privacy';

/** The users service's topic (declared in its manifest); the privacy messages travel on it too. */
export const USERS_EVENTS_TOPIC = USER_EVENTS_TOPIC;

/** An IANA time zone name the runtime knows (e.g. "Europe/Paris"). */
export const timeZoneName = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'Must be an IANA time zone name such as Europe/Paris.');

/**
 * The user's email preferences as they now stand (replace semantics; the newest asOf wins). Notifications keeps a
 * copy to decide whom to send optional emails to, with the address and name to send them with.
 */
export const notificationPreferencesChangedV1 = z.object({
  userId: z.uuid(),
  email: z.email(),
  firstName: z.string().min(1).max(100),
  /** A daily email summarizing yesterday's sales of the user's events. */
  dailySalesSummary: z.boolean(),
  /** The zone "yesterday" is counted in; null: UTC. */
  timeZone: timeZoneName.nullable(),
  asOf: z.iso.datetime({ offset: true }),
});
export type NotificationPreferencesChangedV1 = z.infer<typeof notificationPreferencesChangedV1>;

export const UsersMessageTypes = {
  NotificationPreferencesChanged: {
    type: 'NotificationPreferencesChanged',
    version: 1,
    schema: notificationPreferencesChangedV1,
  },
} as const;
