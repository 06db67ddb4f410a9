// The security notices emailed to an account's owner after a change to the account (two-step sign-in on or off,
// recovery codes replaced, the account deleted): AccountEmailRequested messages for the auth outbox, sent by
// notifications like the password-reset email. A change the owner did not make is how they learn of an intruder.
import {
  type AccountNoticeKind,
  AuthMessageTypes,
  accountEmailRequestedV1,
} from '../../events/contracts/auth';
import { type Envelope, envelope } from '../../layers/common/messages';

/** The web app page each notice links to: the profile (where the change shows), or home for a deleted account. */
export const NOTICE_PAGE: Record<AccountNoticeKind, string> = {
  'two-factor-enabled': '/profile',
  'two-factor-disabled': '/profile',
  'recovery-codes-regenerated': '/profile',
  'account-deleted': '/',
};

export function accountNotice(
  account: { id: string; email: string; firstName: string },
  kind: AccountNoticeKind,
  link: string,
  correlationId: string,
): Envelope {
  const { type, version } = AuthMessageTypes.AccountEmailRequested;
  const data = accountEmailRequestedV1.parse({
    kind,
    userId: account.id,
    email: account.email,
    firstName: account.firstName,
    link,
  });
  return envelope('auth', type, version, data, correlationId);
}
