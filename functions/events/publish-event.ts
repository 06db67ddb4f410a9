// POST /v1/events/{id}/publish: inventory is set up with tickets, then the event is on sale and in the catalogue.
import { optionalEnv } from '../../layers/common/config';
import { AppError } from '../../layers/common/errors';
import { type Caller, httpHandler } from '../../layers/common/http';
import { cachedDeps } from './cached-deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { publishEvent } from './organizer';
import { answer, organizerOf, PRIVATE } from './respond';

/**
 * Only a proven address may put events on sale (buyers need not prove theirs). Auth's access tokens say
 * email_verified; a token without the claim predates it and passes. PUBLISH_REQUIRES_VERIFIED_EMAIL=false turns the
 * check off (the test platform, whose fixtures sign organizers up without reading their mail).
 */
function requireVerifiedEmail(caller: Caller) {
  if (optionalEnv('PUBLISH_REQUIRES_VERIFIED_EMAIL', 'true') === 'false') return;
  if (String(caller.claims.email_verified) !== 'false') return;
  throw new AppError(
    403,
    'email-unverified',
    'Email address not verified',
    'Confirm your email address (the link we emailed you; POST /v1/auth/verify-email/resend sends a new one) before publishing events.',
  );
}

/**
 * ORGANIZERS_REQUIRE_TWO_FACTOR=true: only an organizer who signs in with two steps (auth's access tokens say amr
 * otp) may put events on sale, so a stolen password alone cannot sell tickets in their name. Off by default.
 */
function requireTwoFactor(caller: Caller) {
  if (optionalEnv('ORGANIZERS_REQUIRE_TWO_FACTOR', 'false') !== 'true') return;
  const amr = caller.claims.amr;
  if (Array.isArray(amr) ? amr.includes('otp') : String(amr ?? '').includes('otp')) return;
  throw new AppError(
    403,
    'two-factor-required',
    'Two-step sign-in required',
    'Turn on two-step sign-in (POST /v1/auth/two-factor, or your account page) and sign in again before publishing events.',
  );
}

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.publishEvent, async ({ caller, params, correlationId }) => {
    requireVerifiedEmail(caller);
    requireTwoFactor(caller);
    const { view, degraded } = await publishEvent(deps, organizerOf(caller), params.id, correlationId);
    return answer(200, view, degraded, PRIVATE);
  });
}

export const handler = makeHandler(cachedDeps());
