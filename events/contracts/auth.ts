// Messages the auth service publishes on the `auth-events` topic. Versioned: a breaking change is a new version.
import * as z from 'zod';

export const AUTH_EVENTS_TOPIC = 'auth-events';

export const userRegisteredV1 = z.object({
  userId: z.uuid(),
  email: z.email(),
  firstName: z.string().min(1).max(100),
  lastName: z.string().min(1).max(100),
});
export type UserRegisteredV1 = z.infer<typeof userRegisteredV1>;

export const AuthMessageTypes = {
  UserRegistered: { type: 'UserRegistered', version: 1, schema: userRegisteredV1 },
} as const;
