// The authorization code grant with PKCE, driven by a standard client (openid-client) that knows only the issuer and
// client id, with the browser's part (the sign-in page and its form) played by fetch with the page's cookie.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Platform } from '../../../local/platform';
import { passwordGrant, registerUser } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { emailsFor } from '../notifications/support';

let platform: Platform;
let redirectUri: string;

const ACCOUNT_LIMIT = 5;

beforeAll(async () => {
  // Each test signs its own accounts in once or twice; the rate-limit test spends one account's whole window.
  process.env.RATE_LIMIT_SIGNIN_FAILURES_ACCOUNT_IP = `${ACCOUNT_LIMIT}/3600`;
  platform = await startTestPlatform({ schedules: false });
  redirectUri = `${platform.apiUrl}/callback`;
});
afterAll(async () => {
  await platform?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

const discover = () =>
  client.discovery(new URL(platform.apiUrl), 'web', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  });

const decodeEntities = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[name] ?? '',
  );

interface Page {
  status: number;
  html: string;
  cookie?: string;
  hidden: Record<string, string>;
  csp: string;
}

const hiddenFields = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((match) => [
      decodeEntities(match[1] ?? ''),
      decodeEntities(match[2] ?? ''),
    ]),
  );

/** What a browser gets for the authorization URL: the page, its hidden fields and the CSRF cookie it set. */
async function openPage(url: string | URL, cookie?: string): Promise<Page> {
  const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const html = await response.text();
  const hidden = hiddenFields(html);
  const setCookie = response.headers.getSetCookie()[0]?.split(';')[0];
  return {
    status: response.status,
    html,
    cookie: setCookie ?? cookie,
    hidden,
    csp: response.headers.get('content-security-policy') ?? '',
  };
}

/** Submits a page's form as the browser would (its hidden fields, the cookie) plus what the user typed. */
function submit(page: Page, fields: Record<string, string>, path = '/oauth/authorize', cookie = page.cookie) {
  return fetch(`${platform.apiUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams({ ...page.hidden, ...fields }),
  });
}

async function authorizationRequest(config: client.Configuration, overrides: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'api',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...overrides,
  });
  return { url, verifier, state };
}

/** Signs a new user in through the page; the URL the browser is sent back to. */
async function signIn(url: URL, user?: { email: string; password: string }) {
  const account = user ?? (await registerUser(platform.apiUrl));
  const page = await openPage(url);
  expect(page.status).toBe(200);
  const response = await submit(page, { email: account.email, password: account.password });
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location') ?? '');
}

async function refresh(refreshToken: string) {
  return fetch(`${platform.apiUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'web' }),
  });
}

describe('authorization code with PKCE', () => {
  it('lets a standard client sign a user in with code + PKCE and receive tokens for that user', async () => {
    const config = await discover();
    const user = await registerUser(platform.apiUrl);
    const { url, verifier, state } = await authorizationRequest(config);

    const callback = await signIn(url, user);
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('state')).toBe(state);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });

    const jwks = createRemoteJWKSet(new URL(`${platform.apiUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: platform.apiUrl });
    expect(payload).toMatchObject({ sub: user.id, email: user.email, client_id: 'web', scope: 'api' });
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  });

  it('accepts the web app at 127.0.0.1 as well as localhost', async () => {
    const config = await discover();
    const loopback = redirectUri.replace('localhost', '127.0.0.1');
    const { url, verifier, state } = await authorizationRequest(config, { redirect_uri: loopback });
    const callback = await signIn(url);
    expect(callback.origin).toBe(new URL(loopback).origin);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    expect(tokens.access_token).toBeTruthy();
  });

  it('refuses a code with the wrong verifier, and the code is spent', async () => {
    const config = await discover();
    const { url, verifier, state } = await authorizationRequest(config);
    const callback = await signIn(url);

    const wrong = client.randomPKCECodeVerifier();
    await expect(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: wrong, expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a reused code and revokes the tokens issued for it', async () => {
    const config = await discover();
    const { url, verifier, state } = await authorizationRequest(config);
    const callback = await signIn(url);
    const checks = { pkceCodeVerifier: verifier, expectedState: state };
    const first = await client.authorizationCodeGrant(config, callback, checks);

    await expect(client.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const afterReplay = await refresh(first.refresh_token ?? '');
    expect(afterReplay.status).toBe(400);
    expect(await afterReplay.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a code after its 60 seconds', async () => {
    const config = await discover();
    const { url, verifier, state } = await authorizationRequest(config);
    const callback = await signIn(url);

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    await expect(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    ).rejects.toMatchObject({ error: 'invalid_grant', error_description: 'The code has expired.' });
  });

  it('refuses a code presented with another redirect URI than the one it was issued for', async () => {
    const config = await discover();
    const { url, verifier } = await authorizationRequest(config);
    const callback = await signIn(url);
    const response = await fetch(`${platform.apiUrl}/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'web',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: redirectUri.replace('localhost', '127.0.0.1'),
        code_verifier: verifier,
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('the authorization endpoint', () => {
  it('shows an error page, never a redirect, for a redirect URI the client has not registered', async () => {
    const config = await discover();
    const { url } = await authorizationRequest(config, { redirect_uri: 'https://evil.example/callback' });
    const page = await openPage(url);
    expect(page.status).toBe(400);
    expect(page.html).toContain('has not registered');
    expect(page.html).not.toContain('evil.example');

    const unknownClient = new URL(url);
    unknownClient.searchParams.set('client_id', 'nobody');
    expect((await openPage(unknownClient)).status).toBe(400);
  });

  it('sends a request without state back with error=invalid_request', async () => {
    const config = await discover();
    const { url } = await authorizationRequest(config);
    url.searchParams.delete('state');
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(redirectUri);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.has('state')).toBe(false);
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('sends a plain (non-S256) challenge back with error=invalid_request and the state', async () => {
    const config = await discover();
    const { url, state } = await authorizationRequest(config, { code_challenge_method: 'plain' });
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe(state);
  });

  it('sends the user back with error=access_denied when they cancel', async () => {
    const config = await discover();
    const { url, state } = await authorizationRequest(config);
    const page = await openPage(url);
    const response = await submit(page, { cancel: '1' });
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(state);
  });

  it('refuses a form posted without the page cookie (CSRF) and shows the form again', async () => {
    const config = await discover();
    const user = await registerUser(platform.apiUrl);
    const { url } = await authorizationRequest(config);
    const page = await openPage(url);
    const forged = await submit(page, { email: user.email, password: user.password }, '/oauth/authorize', '');
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();

    const otherBrowser = (await openPage(url)).cookie;
    const mixed = await submit(
      page,
      { email: user.email, password: user.password },
      '/oauth/authorize',
      otherBrowser,
    );
    expect(mixed.status).toBe(403);
  });

  it('shows the page again on a wrong password, without a code', async () => {
    const config = await discover();
    const user = await registerUser(platform.apiUrl);
    const { url } = await authorizationRequest(config);
    const page = await openPage(url);
    const response = await submit(page, { email: user.email, password: 'not the password' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('The email or password is wrong.');
  });

  it('serves pages with no script allowed and forms only to this origin', async () => {
    const config = await discover();
    const { url } = await authorizationRequest(config);
    const page = await openPage(url);
    expect(page.html).not.toContain('<script');
    expect(page.csp).toContain("default-src 'none'");
    expect(page.csp).toContain("form-action 'self'");
    expect(page.csp).toContain("frame-ancestors 'none'");
    expect(page.csp).not.toMatch(/script-src|unsafe-inline/);
  });

  /** Signs up from the page (prompt=create): the answer, and the request to finish signing in with. */
  async function signUpFromPage(config: client.Configuration, email: string) {
    const request = await authorizationRequest(config, { prompt: 'create' });
    const page = await openPage(request.url);
    expect(page.html).toContain('Create an account');
    const fields = { firstName: 'Katherine', lastName: 'Johnson', email, password: 'orbital mechanics' };
    const response = await submit(page, fields, '/oauth/signup');
    const html = await response.text();
    // What the user sees: the text of the page, the address written the same for both.
    const text = html
      .replace(/<input type="hidden"[^>]*>/g, '')
      .replaceAll(email, 'ADDRESS')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    return {
      status: response.status,
      text,
      answered: { ...page, html, hidden: hiddenFields(html) },
      ...request,
    };
  }

  it('answers a sign-up with a taken address exactly as a new one, and emails the owner', async () => {
    const config = await discover();
    const owner = await registerUser(platform.apiUrl);
    const taken = await signUpFromPage(config, owner.email);
    const fresh = await signUpFromPage(config, `signup-${Date.now()}@example.com`);
    expect(taken.status).toBe(fresh.status);
    expect(taken.text).toBe(fresh.text);
    expect(fresh.text).toContain('Check your email');
    const emails = await emailsFor(platform.mailUrl, owner.email, 2);
    expect(emails.map((email) => email.subject)).toContainEqual(expect.stringContaining('tried to sign up'));
  });

  it('signs a new user up from the page (prompt=create), then in with the password just chosen', async () => {
    const config = await discover();
    const email = `signup-${Date.now()}@example.com`;
    const { answered, verifier, state } = await signUpFromPage(config, email);
    // The answer's own form signs in.
    const response = await submit(answered, { email, password: 'orbital mechanics' });
    expect(response.status).toBe(303);
    const tokens = await client.authorizationCodeGrant(
      config,
      new URL(response.headers.get('location') ?? ''),
      {
        pkceCodeVerifier: verifier,
        expectedState: state,
      },
    );
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ email, given_name: 'Katherine' });
  });

  it('counts the form and the token endpoint in one rate-limit window per account', async () => {
    const user = await registerUser(platform.apiUrl);
    for (let i = 0; i < ACCOUNT_LIMIT; i += 1) {
      expect((await passwordGrant(platform.apiUrl, user.email, 'guess')).status).toBe(400);
    }
    const config = await discover();
    const { url } = await authorizationRequest(config);
    const page = await openPage(url);
    const response = await submit(page, { email: user.email, password: user.password });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('Too many attempts');
  });

  it("links the sign-in page to the web app's forgot-password page", async () => {
    const { url } = await authorizationRequest(await discover());
    const page = await openPage(url);
    expect(page.html).toContain(`href="${new URL(redirectUri).origin}/forgot-password"`);
  });

  it('publishes exactly what it supports in its metadata', async () => {
    const metadata = await (await fetch(`${platform.apiUrl}/.well-known/oauth-authorization-server`)).json();
    expect(metadata).toMatchObject({
      authorization_endpoint: `${platform.apiUrl}/oauth/authorize`,
      response_types_supported: ['code'],
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'password',
        'urn:ticketorleaveit:params:oauth:grant-type:mfa-otp',
      ],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
    });
  });
});
