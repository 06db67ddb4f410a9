// POST /v1/oauth/token (RFC 6749): password and refresh_token grants, rate-limited per client IP and per account.
import { httpHandler } from '../../layers/common/http';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { server } from './deps';
import { auth } from './manifest';
import { rateLimiter, rateLimits } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.token,
  async ({ body, sourceIp }) => {
    const checks = [{ rule: rateLimits().tokenPerIp, subject: sourceIp }];
    if (body.grant_type === 'password' && body.username) {
      checks.push({
        rule: rateLimits().tokenPerAccount,
        subject: body.username.trim().toLowerCase().slice(0, 254),
      });
    }
    const limits = await enforceRateLimits(rateLimiter(), checks);
    const tokens = await (await server()()).token(body);
    return {
      statusCode: 200,
      body: tokens,
      headers: { ...limits, 'cache-control': 'no-store', pragma: 'no-cache' },
    };
  },
  { oauthErrors: true },
);
