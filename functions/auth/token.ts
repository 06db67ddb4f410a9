// POST /v1/oauth/token (RFC 6749): every grant rate-limited per client IP; password guesses throttled by the sign-in
// guard (per account and address, then per account).
import { httpHandler } from '../../layers/common/http';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { server } from './deps';
import { auth } from './manifest';
import { guard, rateLimiter, rateLimits } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.token,
  async ({ body, event, sourceIp }) => {
    const limits = await enforceRateLimits(rateLimiter(), [
      { rule: rateLimits().tokenPerIp, subject: sourceIp },
    ]);
    const from = { guard: guard(), ip: sourceIp, userAgent: event.headers?.['user-agent'] };
    const tokens = await (await server()()).token(body, from);
    return {
      statusCode: 200,
      body: tokens,
      headers: { ...limits, 'cache-control': 'no-store', pragma: 'no-cache' },
    };
  },
  { oauthErrors: true },
);
