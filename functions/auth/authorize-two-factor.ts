// The sign-in page's second step: after the right password, an account with two-step sign-in gets the code form
// (carrying a short-lived challenge); the code is checked through the sign-in guard and used once, then the client
// gets its code as after a password.
import { OAuthError } from '../../layers/common/errors';
import type { HttpEvent, HttpResult } from '../../layers/common/http';
import { enforceRateLimits } from '../../layers/common/rate-limit';
import type { AuthorizationRequest } from './authorization';
import { issueCode, limited, showForm } from './authorize-flow';
import { twoFactorService } from './deps';
import { guard, rateLimiter, rateLimits } from './rate-limits';

/** The code form for an account that has passed its password. */
export async function askForCode(event: HttpEvent, request: AuthorizationRequest, accountId: string) {
  const mfaToken = await (await twoFactorService()()).challenge(accountId, request.clientId, request.scope);
  return showForm(event, request, 'two-factor', { mfaToken });
}

/** The posted code of a challenge: the client's code, the form again, or sign-in again once the challenge is gone. */
export async function secondStep(
  event: HttpEvent,
  request: AuthorizationRequest,
  posted: { mfaToken: string; otp?: string; ip: string },
): Promise<HttpResult> {
  const again = (status: number, error: string, headers?: Record<string, string>) =>
    showForm(event, request, 'two-factor', { status, error, headers, mfaToken: posted.mfaToken });
  const otp = (posted.otp ?? '').trim();
  if (!otp) return again(400, 'Enter the code of your authenticator app.');
  return limited(
    async () => {
      await enforceRateLimits(rateLimiter(), [{ rule: rateLimits().tokenPerIp, subject: posted.ip }]);
      try {
        const done = await (await twoFactorService()()).complete(posted.mfaToken, request.clientId, otp, {
          guard: guard(),
          ip: posted.ip,
        });
        if (!done) return again(400, 'The code is wrong or was used already. Wait for the next one.');
        return issueCode(done.accountId, request);
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        return showForm(event, request, 'sign-in', {
          status: 400,
          error: 'This sign-in took too long or was finished already. Please sign in again.',
        });
      }
    },
    (error, headers) => again(429, error, headers),
  );
}
