// POST /v1/auth/verify-email: proves the address with the token of the verification email, once. Access tokens
// issued afterwards (the next refresh) carry email_verified: true.
import { httpHandler, noContent } from '../../layers/common/http';
import { recoveryService } from './deps';
import { auth } from './manifest';

export const handler = httpHandler('auth', auth.routes.verifyEmail, async ({ body }) => {
  await (await recoveryService()()).verifyEmail(body.token);
  return noContent();
});
