// POST /v1/auth/password: the caller changes their own password; every other sign-in of theirs is revoked.
import { httpHandler, noContent } from '../../layers/common/http';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { server } from './deps';
import { auth } from './manifest';
import { rateLimiter, rateLimits } from './rate-limits';

export const handler = httpHandler('auth', auth.routes.changePassword, async ({ body, caller }) => {
  // Guessing the current password through this route is throttled like guessing it at the token endpoint.
  await enforceRateLimits(rateLimiter(), [
    { rule: rateLimits().tokenPerAccount, subject: `user:${caller.userId}` },
  ]);
  await (await server()()).changePassword(caller, body.currentPassword, body.newPassword);
  return noContent();
});
