// POST /v1/auth/password-reset/confirm: sets a new password with the token of a reset email, once; every sign-in of
// the account is revoked.
import { httpHandler, noContent } from '../../layers/common/http';
import { recoveryService } from './deps';
import { auth } from './manifest';

export const handler = httpHandler('auth', auth.routes.resetPassword, async ({ body }) => {
  await (await recoveryService()()).resetPassword(body.token, body.newPassword);
  return noContent();
});
