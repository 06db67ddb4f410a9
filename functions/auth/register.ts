// POST /v1/auth/register: creates an account and emails a link to verify its address (rate-limited per client IP);
// its profile follows through the outbox. A taken address is answered the same way, and its owner gets an email
// instead, so sign-up never tells whether an address is registered.
import { httpHandler } from '../../layers/common/http';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { server } from './deps';
import { auth } from './manifest';
import { rateLimiter, rateLimits } from './rate-limits';
import { sendSignUpEmail } from './sign-up-mail';

export const handler = httpHandler(
  'auth',
  auth.routes.register,
  async ({ body, sourceIp, correlationId }) => {
    const limits = await enforceRateLimits(rateLimiter(), [
      { rule: rateLimits().registerPerIp, subject: sourceIp },
    ]);
    const outcome = await (await server()()).register(body, correlationId);
    await sendSignUpEmail(outcome, body.email, correlationId);
    const id = outcome.status === 'created' ? outcome.account.id : outcome.id;
    return { statusCode: 201, body: { id }, headers: { ...limits, location: '/v1/users/me' } };
  },
);
