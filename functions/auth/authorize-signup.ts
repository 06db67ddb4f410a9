// POST /oauth/signup: the sign-up form of the authorization page. CSRF-checked and rate-limited like sign-up; the new
// account is signed in at once (a 303 to the client with a code) and emailed a link to verify its address; its
// profile follows through the outbox.
import { ValidationError } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { checkPosted, issueCode, limited, pageOptions, showForm } from './authorize-flow';
import { recoveryService, server } from './deps';
import { auth } from './manifest';
import { rateLimiter, rateLimits } from './rate-limits';
import { registerRequest } from './schemas';

export const handler = httpHandler(
  'auth',
  auth.routes.signup,
  async ({ body, event, sourceIp, correlationId }) => {
    const checked = await checkPosted(event, body, 'sign-up');
    if (!checked.ok) return checked.answer;
    const { request } = checked;
    const values = { firstName: body.firstName, lastName: body.lastName, email: body.email };
    const again = (status: number, error: string, headers?: Record<string, string>) =>
      showForm(event, request, 'sign-up', { status, error, values, headers });
    const input = registerRequest.safeParse({ ...values, password: body.password });
    if (!input.success) {
      const fields = input.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`);
      return again(400, `Please check: ${fields.join('; ')}.`);
    }

    return limited(
      async () => {
        await enforceRateLimits(rateLimiter(), [{ rule: rateLimits().registerPerIp, subject: sourceIp }]);
        try {
          const outcome = await (await server()()).register(input.data, correlationId);
          if (outcome.status === 'taken')
            return again(409, 'An account with this email exists already. Sign in instead.');
          await (await recoveryService()()).sendVerification(outcome.account, correlationId);
          await relayNow('auth');
          return issueCode(outcome.account.id, request);
        } catch (error) {
          if (error instanceof ValidationError) return again(400, `Please check: password: ${error.message}`);
          throw error;
        }
      },
      (error, headers) => again(429, error, headers),
    );
  },
  pageOptions(),
);
