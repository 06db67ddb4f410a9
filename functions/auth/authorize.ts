// POST /oauth/authorize: the sign-in form. CSRF-checked, rate-limited like the token endpoint (the same windows and
// the same sign-in guard, so trying passwords here and there together gets no more attempts), then a 303 to the
// client with a single-use code, or first the two-step form when the account has it on.
import { httpHandler } from '../../layers/common/http';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import { checkPosted, denied, issueCode, limited, pageOptions, showForm } from './authorize-flow';
import { askForCode, secondStep } from './authorize-two-factor';
import { server } from './deps';
import { auth } from './manifest';
import { guard, rateLimiter, rateLimits } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.authorize,
  async ({ body, event, sourceIp }) => {
    const checked = await checkPosted(event, body, 'sign-in');
    if (!checked.ok) return checked.answer;
    const { request } = checked;
    if (body.cancel) return denied(request);
    if (body.mfa_token)
      return secondStep(event, request, { mfaToken: body.mfa_token, otp: body.otp, ip: sourceIp });
    const email = (body.email ?? '').trim();
    const again = (status: number, error: string, headers?: Record<string, string>) =>
      showForm(event, request, 'sign-in', { status, error, values: { email }, headers });
    if (!email || !body.password) return again(400, 'Enter your email and password.');

    return limited(
      async () => {
        await enforceRateLimits(rateLimiter(), [{ rule: rateLimits().tokenPerIp, subject: sourceIp }]);
        const oauth = await server()();
        const account = await guard().attempt(email, sourceIp, () =>
          oauth.authenticate(email, body.password ?? ''),
        );
        if (!account) return again(400, 'The email or password is wrong.');
        if (account.twoFactor) return askForCode(event, request, account.id);
        return issueCode(account.id, request);
      },
      (error, headers) => again(429, error, headers),
    );
  },
  pageOptions(),
);
