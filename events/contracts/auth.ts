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

/**
 * An email about the account itself, sent by notifications as it is and kept out of the user's notification history:
 * the link carries a single-use secret (a password reset or an email verification), or, for "already-registered",
 * points to sign-in after someone tried to sign up with the address. The security notices (two-step sign-in turned
 * on or off, recovery codes replaced, the account deleted) tell the owner of a change they may not have made; their
 * link points to the profile page (or the home page, for a deleted account).
 */
export const ACCOUNT_NOTICE_KINDS = [
  'two-factor-enabled',
  'two-factor-disabled',
  'recovery-codes-regenerated',
  'account-deleted',
] as const;
export type AccountNoticeKind = (typeof ACCOUNT_NOTICE_KINDS)[number];
export const accountEmailRequestedV1 = z.object({
  kind: z.enum(['password-reset', 'verify-email', 'already-registered', ...ACCOUNT_NOTICE_KINDS]),
  userId: z.uuid(),
  email: z.email(),
  firstName: z.string().max(100),
  link: z.url(),
  expiresAt: z.iso.datetime().optional(),
});
export type AccountEmailRequestedV1 = z.infer<typeof accountEmailRequestedV1>;

export const AuthMessageTypes = {
  UserRegistered: { type: 'UserRegistered', version: 1, schema: userRegisteredV1 },
  AccountEmailRequested: { type: 'AccountEmailRequested', version: 1, schema: accountEmailRequestedV1 },
} as const;
