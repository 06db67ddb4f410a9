// The authorization server's own pages in a real browser (Debian's chromium): its CSP, sandbox and CSRF cookie let the
// forms work, nothing is refused or broken, axe finds no serious violation, and the code that comes back is good.
import * as client from 'openid-client';
import { TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { type Browser, launchBrowser, screenshots, seriousViolations } from '../../browser/browser';
import { registerUser, signUp } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';

let platform: Platform;
let browser: Browser;

beforeAll(async () => {
  platform = await startTestPlatform({ schedules: false });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** A page that records what the browser refused, and answers the callback itself so the code stays unspent. */
async function openPage() {
  const page = await browser.context.newPage();
  const refused: string[] = [];
  page.on('console', (message) => {
    // A wrong password is answered 400 on purpose; what must never appear is a refusal by the page's policy.
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
      refused.push(message.text());
  });
  page.on('pageerror', (error) => refused.push(error.message));
  await page.route('**/callback?**', (route) => route.fulfill({ status: 200, body: 'callback' }));
  return { page, refused };
}

async function startSignIn(page: Page, extra: Record<string, string> = {}) {
  const config = await client.discovery(new URL(platform.apiUrl), 'web', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${platform.apiUrl}/callback`,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...extra,
  });
  await page.goto(url.href);
  const exchange = () =>
    client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
  return { exchange };
}

describe('the sign-in page in a browser', () => {
  it('signs in through the form and comes back to the app with a code that works', async () => {
    const user = await registerUser(platform.apiUrl);
    const { page, refused } = await openPage();
    const { exchange } = await startSignIn(page);

    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'oauth-sign-in');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The email or password is wrong.' }).waitFor();
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/callback\?/);

    const tokens = await exchange();
    expect(tokens.access_token).toBeTruthy();
    expect(refused).toEqual([]);
    await page.close();
  });

  it('creates an account from the sign-up page, then signs in with the new password', async () => {
    const { page, refused } = await openPage();
    const { exchange } = await startSignIn(page);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'oauth-sign-up');

    await page.getByLabel('First name').fill('Mary');
    await page.getByLabel('Last name').fill('Jackson');
    await page.getByLabel('Email').fill(`mary-${Date.now()}@example.com`);
    await page.getByLabel(/^Password/).fill('wind tunnel 4x');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Password', { exact: true }).fill('wind tunnel 4x');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/callback\?/);

    const { access_token } = await exchange();
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ given_name: 'Mary', family_name: 'Jackson' });
    expect(refused).toEqual([]);
    await page.close();
  });

  it('asks an account with two-step sign-in for its code after the password, and takes a right one once', async () => {
    const user = await signUp(platform.apiUrl);
    const { secret, spent } = await turnOnTwoFactor(user.accessToken, user.password);
    const { page, refused } = await openPage();
    const { exchange } = await startSignIn(page);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshots(page, 'oauth-two-step');

    // The code the enrolment spent is refused (whether or not its 30-second step has passed since); a later one is
    // taken.
    await page.getByLabel('Code').fill(spent);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'The code is wrong or was used already' }).waitFor();
    await page.getByLabel('Code').fill(codeOf(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/callback\?/);

    const { access_token } = await exchange();
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ sub: user.id, amr: ['pwd', 'otp', 'mfa'] });
    expect(refused).toEqual([]);
    await page.close();
  });
});

/** The code the authenticator app shows now, or some steps ahead. */
const codeOf = (secret: string, stepsAhead: number) =>
  new TOTP({ secret }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

/**
 * Turns two-step sign-in on through the API: enrol, confirm with the password and the current code. The secret, and
 * the code the confirmation spent (the code of a later moment is another one once a 30-second step has passed).
 */
async function turnOnTwoFactor(
  accessToken: string,
  password: string,
): Promise<{ secret: string; spent: string }> {
  const call = (path: string, body?: unknown) =>
    fetch(`${platform.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const { secret } = (await (await call('/v1/auth/two-factor')).json()) as { secret: string };
  const spent = codeOf(secret, 0);
  const confirmed = await call('/v1/auth/two-factor/confirm', { password, code: spent });
  expect(confirmed.status).toBe(200);
  return { secret, spent };
}
