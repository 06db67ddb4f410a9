// What the authorization endpoint's handlers share: the CSRF cookie, the pages and their security headers, and the
// answers (a page, a redirect with error=, or a redirect with the code).
import { randomBytes } from 'node:crypto';
import { TooManyRequestsError } from '../../layers/common/errors';
import type { HttpEvent, HttpHandlerOptions, HttpResult } from '../../layers/common/http';
import {
  type AuthorizationParams,
  type AuthorizationRequest,
  authorizationResponse,
  checkAuthorizationRequest,
  csrfMatches,
  csrfToken,
  requestParams,
} from './authorization';
import { server } from './deps';
import { configuredWebRedirectUris, issuer } from './issuer';
import {
  checkEmailPage,
  errorPage,
  type FormPage,
  STYLE_HASH,
  signInPage,
  signUpPage,
  twoFactorPage,
} from './sign-in-page';

export type FormKind = 'sign-in' | 'sign-up' | 'two-factor' | 'check-email';
const PAGES: Record<FormKind, (page: FormPage) => string> = {
  'sign-in': signInPage,
  'sign-up': signUpPage,
  'two-factor': twoFactorPage,
  'check-email': checkEmailPage,
};

const NONCE = /^[A-Za-z0-9_-]{43}$/;
const secure = () => issuer().url.startsWith('https:');
// __Host- keeps a sibling subdomain from planting its own nonce; browsers accept the prefix only on https.
const cookieName = () => (secure() ? '__Host-oauth-csrf' : 'oauth-csrf');

function cookieNonce(event: HttpEvent): string | undefined {
  const prefix = `${cookieName()}=`;
  const value = event.cookies?.find((cookie) => cookie.startsWith(prefix))?.slice(prefix.length);
  return value && NONCE.test(value) ? value : undefined;
}

function redirectOrigins(): string {
  const origins = configuredWebRedirectUris().flatMap((uri) => {
    try {
      return [new URL(uri).origin];
    } catch {
      return [];
    }
  });
  return [...new Set(origins)].join(' ');
}

/** No script, one hashed stylesheet, forms only to this origin and the configured redirect origins, no framing. */
export const pageOptions = (): HttpHandlerOptions => ({
  contentSecurityPolicy: {
    'default-src': "'none'",
    'style-src': STYLE_HASH,
    // Browsers apply form-action to the redirect that answers the form as well.
    'form-action': `'self' ${redirectOrigins()}`.trim(),
    // No sandbox: default-src 'none' already refuses every script, and a sandbox that turns scripting off also stops
    // the tools that check the page from inside (axe through DevTools waits forever for its timers).
    sandbox: false,
    // The local runtime serves plain http.
    'upgrade-insecure-requests': false,
  },
});

const html = (statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  body,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers },
});

const seeOther = (location: string): HttpResult => ({
  statusCode: 303,
  headers: { location, 'cache-control': 'no-store' },
});

export type Checked = { ok: true; request: AuthorizationRequest } | { ok: false; answer: HttpResult };

/** Checks an authorization request; anything wrong becomes the error page or the redirect with error=. */
export async function checkRequest(params: AuthorizationParams): Promise<Checked> {
  const oauth = await server()();
  const checked = await checkAuthorizationRequest(params, {
    findClient: oauth.findClient,
    grantedScope: oauth.grantedScope,
    issuer: issuer().url,
  });
  if (checked.kind === 'ok') return { ok: true, request: checked.request };
  return {
    ok: false,
    answer: checked.kind === 'page' ? html(400, errorPage(checked.message)) : seeOther(checked.location),
  };
}

/** A form of the request (sign-in, sign-up, its code), with a CSRF token bound to it (and the cookie, if none yet). */
export function showForm(
  event: HttpEvent,
  request: AuthorizationRequest,
  form: FormKind,
  options: {
    status?: number;
    error?: string;
    values?: FormPage['values'];
    headers?: Record<string, string>;
    /** The two-factor form's challenge, carried as a hidden field. */
    mfaToken?: string;
  } = {},
): HttpResult {
  const existing = cookieNonce(event);
  const nonce = existing ?? randomBytes(32).toString('base64url');
  const other = new URLSearchParams(requestParams(request));
  if (form !== 'sign-up') other.set('prompt', 'create');
  const mfa: Record<string, string> = options.mfaToken ? { mfa_token: options.mfaToken } : {};
  const page: FormPage = {
    hidden: { ...requestParams(request), csrf: csrfToken(nonce, request), ...mfa },
    otherPage: `/oauth/authorize?${other}`,
    // The web app's page (on the origin the code goes back to) asks for the reset link.
    forgotPassword:
      request.clientId === 'web' ? `${new URL(request.redirectUri).origin}/forgot-password` : undefined,
    error: options.error,
    values: options.values ?? { email: request.loginHint },
  };
  const cookie = `${cookieName()}=${nonce}; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600${secure() ? '; Secure' : ''}`;
  return html(options.status ?? 200, PAGES[form](page), {
    ...options.headers,
    ...(existing ? {} : { 'set-cookie': cookie }),
  });
}

/** A posted form's request, checked again, and its CSRF token; a stale or forged form is shown again, fresh. */
export async function checkPosted(
  event: HttpEvent,
  body: AuthorizationParams & { csrf?: string },
  form: FormKind,
): Promise<Checked> {
  const checked = await checkRequest(body);
  if (!checked.ok) return checked;
  if (csrfMatches(body.csrf, cookieNonce(event), checked.request)) return checked;
  const error = 'This form expired or did not come from this site. Please try again.';
  return { ok: false, answer: showForm(event, checked.request, form, { status: 403, error }) };
}

/** Signs the account in to the client: a single-use code, sent to the redirect URI with the request's state. */
export async function issueCode(accountId: string, request: AuthorizationRequest): Promise<HttpResult> {
  const code = await (await server()()).issueCode(accountId, request);
  return seeOther(authorizationResponse(request.redirectUri, issuer().url, { code, state: request.state }));
}

export function denied(request: AuthorizationRequest): HttpResult {
  return seeOther(
    authorizationResponse(request.redirectUri, issuer().url, {
      error: 'access_denied',
      error_description: 'The user cancelled the sign-in.',
      state: request.state,
    }),
  );
}

/** Runs a rate-limited step; over the limit, the form again with the wait, not a JSON problem. */
export async function limited(
  step: () => Promise<HttpResult>,
  refused: (error: string, headers: Record<string, string>) => HttpResult,
): Promise<HttpResult> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof TooManyRequestsError)) throw error;
    return refused(`Too many attempts. ${error.message}`, error.headers);
  }
}
