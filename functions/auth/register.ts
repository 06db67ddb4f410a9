// POST /v1/auth/register: creates an account (rate-limited per client IP); its profile follows through the outbox.
import { httpHandler } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { server } from './deps';
import { auth } from './manifest';
import { rateLimiter, rateLimits } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.register,
  async ({ body, sourceIp, correlationId }) => {
    const limits = await enforceRateLimits(rateLimiter(), [
      { rule: rateLimits().registerPerIp, subject: sourceIp },
    ]);
    const account = await (await server()()).register(body, correlationId);
    await relayNow('auth');
    return { statusCode: 201, body: account, headers: { ...limits, location: '/v1/users/me' } };
  },
);
