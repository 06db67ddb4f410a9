// POST /v1/auth/verify-email/resend: emails the caller a new verification link, unless the address is verified;
// rate-limited per client IP (429) and per account (beyond it, 202 and no email).
import { httpHandler } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { recoveryService } from './deps';
import { auth } from './manifest';
import { rateLimiter, rateLimits } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.resendVerification,
  async ({ caller, sourceIp, correlationId }) => {
    const limits = await enforceRateLimits(rateLimiter(), [
      { rule: rateLimits().accountEmailPerIp, subject: sourceIp },
    ]);
    const perAccount = await rateLimiter().check(
      rateLimits().accountEmailPerAddress,
      `verify:${caller.userId}`,
    );
    if (perAccount.allowed) {
      await (await recoveryService()()).resendVerification(caller.userId, correlationId);
      await relayNow('auth');
    }
    return { statusCode: 202, headers: limits };
  },
);
