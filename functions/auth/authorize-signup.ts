// POST /oauth/signup: the sign-up form of the authorization page. CSRF-checked and rate-limited like sign-up. A new
// account is emailed a link to verify its address (its profile follows through the outbox), a taken address's owner a
// notice; both are answered with the same page (check your email, then sign in with the password just chosen), so
// the page never tells whether an address has an account.
import { ValidationError } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { checkPosted, limited, pageOptions, showForm } from './authorize-flow';
import { server } from './deps';
import { auth } from './manifest';
import { rateLimiter, rateLimits } from './rate-limits';
import { registerRequest } from './schemas';
import { sendSignUpEmail } from './sign-up-mail';

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
          await sendSignUpEmail(outcome, input.data.email, correlationId);
          return showForm(event, request, 'check-email', { values: { email: input.data.email } });
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
