// POST /v1/auth/password-reset: emails a reset link valid 30 minutes if the address has an account. Always 202, so
// the answer never tells whether an address is registered; rate-limited per client IP, and per address (beyond its
// limit no more emails are sent, still answered 202).
import { httpHandler } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { recoveryService } from './deps';
import { auth } from './manifest';
import { rateLimiter, rateLimits } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.requestPasswordReset,
  async ({ body, sourceIp, correlationId }) => {
    const limits = await enforceRateLimits(rateLimiter(), [
      { rule: rateLimits().accountEmailPerIp, subject: sourceIp },
    ]);
    const email = body.email.toLowerCase();
    const perAddress = await rateLimiter().check(rateLimits().accountEmailPerAddress, `reset:${email}`);
    if (perAddress.allowed) {
      await (await recoveryService()()).requestPasswordReset(email, correlationId);
      await relayNow('auth');
    }
    return { statusCode: 202, headers: limits };
  },
);
