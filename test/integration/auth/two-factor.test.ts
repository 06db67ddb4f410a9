// Two-step sign-in (TOTP) through the API: enrolment confirmed by a first code, the password grant answering
// mfa_required with an mfa_token that the code then redeems once, codes and recovery codes that work once, guesses
// throttled, and turning it off.
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { passwordGrant, signUp, type TestUser } from '../../support/accounts';
import { client } from '../../support/http';
import { startTestPlatform } from '../../support/platform';
import { eventBody } from '../events/support';

let platform: Platform;
const api = client(() => platform.apiUrl);
const MFA_GRANT = 'urn:ticketorleaveit:params:oauth:grant-type:mfa-otp';

beforeAll(async () => {
  process.env.ORGANIZERS_REQUIRE_TWO_FACTOR = 'true';
  platform = await startTestPlatform({ schedules: false });
});
afterAll(async () => {
  await platform?.stop();
});

/** The authenticator app: the code of the current step, or of a later one (a step already spent is refused). */
const app = (secret: string) => ({
  code: (stepsAhead = 0) => new TOTP({ secret }).generate({ timestamp: Date.now() + stepsAhead * 30_000 }),
});

async function tokenRequest(form: Record<string, string>) {
  const response = await fetch(`${platform.apiUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'two-factor-test/1.0' },
    body: new URLSearchParams({ client_id: 'web', ...form }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the OAuth answers' fields are read as the test needs them.
  return { status: response.status, body: (await response.json()) as any };
}

/** A password sign-in of an account with two-step sign-in on: its mfa_token. */
async function passwordStep(user: TestUser): Promise<string> {
  const { status, body } = await tokenRequest({
    grant_type: 'password',
    username: user.email,
    password: user.password,
  });
  expect(status).toBe(400);
  expect(body).toMatchObject({ error: 'mfa_required', mfa_token: expect.any(String) });
  return body.mfa_token;
}

const codeStep = (mfaToken: string, otp: string) =>
  tokenRequest({ grant_type: MFA_GRANT, mfa_token: mfaToken, otp });

/** Signs a user up and turns two-step sign-in on: the app and the recovery codes. */
async function userWithTwoFactor() {
  const user = await signUp(platform.apiUrl);
  const enrolled = await api('POST', '/v1/auth/two-factor', { token: user.accessToken });
  expect(enrolled.status).toBe(201);
  expect(enrolled.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/TicketOrLeaveIt:.+secret=/);
  const totp = app(enrolled.body.secret);
  const confirmed = await api('POST', '/v1/auth/two-factor/confirm', {
    token: user.accessToken,
    body: { code: totp.code() },
  });
  expect(confirmed.status).toBe(200);
  return { user, totp, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

const claimsOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString());

describe('two-step sign-in', () => {
  it('turns on only with a right first code, and answers ten recovery codes once', async () => {
    const user = await signUp(platform.apiUrl);
    const enrolled = await api('POST', '/v1/auth/two-factor', { token: user.accessToken });
    const wrong = await api('POST', '/v1/auth/two-factor/confirm', {
      token: user.accessToken,
      body: { code: '000000' === app(enrolled.body.secret).code() ? '111111' : '000000' },
    });
    expect(wrong.status).toBe(400);
    expect((await api('GET', '/v1/auth/two-factor', { token: user.accessToken })).body).toEqual({
      enabled: false,
      recoveryCodesLeft: 0,
    });
    // Until it is confirmed, the password alone still signs in.
    expect((await passwordGrant(platform.apiUrl, user.email, user.password)).status).toBe(200);

    const confirmed = await api('POST', '/v1/auth/two-factor/confirm', {
      token: user.accessToken,
      body: { code: app(enrolled.body.secret).code() },
    });
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
    expect((await api('GET', '/v1/auth/two-factor', { token: user.accessToken })).body).toEqual({
      enabled: true,
      recoveryCodesLeft: 10,
    });
    const again = await api('POST', '/v1/auth/two-factor', { token: user.accessToken });
    expect(again.status).toBe(409);
  });

  it('ends the sign-ins made with the password alone when it is turned on', async () => {
    const user = await signUp(platform.apiUrl);
    const other = (await (await passwordGrant(platform.apiUrl, user.email, user.password)).json()) as {
      refresh_token: string;
    };
    const enrolled = await api('POST', '/v1/auth/two-factor', { token: user.accessToken });
    await api('POST', '/v1/auth/two-factor/confirm', {
      token: user.accessToken,
      body: { code: app(enrolled.body.secret).code() },
    });
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: other.refresh_token });
    expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // The sign-in that turned it on, with the code, goes on.
    const mine = await tokenRequest({ grant_type: 'refresh_token', refresh_token: user.refreshToken });
    expect(mine.status).toBe(200);
  });

  it('answers the password grant mfa_required, and the code then signs in once', async () => {
    const { user, totp } = await userWithTwoFactor();
    const mfaToken = await passwordStep(user);

    const code = totp.code(1);
    const signedIn = await codeStep(mfaToken, code);
    expect(signedIn.status).toBe(200);
    expect(claimsOf(signedIn.body.access_token)).toMatchObject({ sub: user.id, amr: ['pwd', 'otp', 'mfa'] });

    // The mfa_token is spent, and the code of that step cannot sign in a second time.
    expect(await codeStep(mfaToken, totp.code(1))).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const replay = await codeStep(await passwordStep(user), code);
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('lets each recovery code sign in once', async () => {
    const { user, recoveryCodes } = await userWithTwoFactor();
    const [recoveryCode = ''] = recoveryCodes;
    expect((await codeStep(await passwordStep(user), recoveryCode)).status).toBe(200);
    expect(await codeStep(await passwordStep(user), recoveryCode)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect(
      (await api('GET', '/v1/auth/two-factor', { token: user.accessToken })).body.recoveryCodesLeft,
    ).toBe(9);
  });

  it('refuses an mfa_token that is unknown, or of another client', async () => {
    expect(await codeStep('made-up-token', '123456')).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('stops guessing codes after five wrong ones, even with the right code', async () => {
    const { user, totp } = await userWithTwoFactor();
    const mfaToken = await passwordStep(user);
    const right = totp.code(1);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await codeStep(mfaToken, wrong)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    expect((await codeStep(mfaToken, right)).status).toBe(429);
  });

  it('turns off with the password, not with a wrong one; the password alone signs in again', async () => {
    const { user } = await userWithTwoFactor();
    const token = user.accessToken;
    const refused = await api('POST', '/v1/auth/two-factor/disable', {
      token,
      body: { password: 'not mine' },
    });
    expect(refused.status).toBe(403);
    const off = await api('POST', '/v1/auth/two-factor/disable', {
      token,
      body: { password: user.password },
    });
    expect(off.status).toBe(204);
    expect((await passwordGrant(platform.apiUrl, user.email, user.password)).status).toBe(200);
  });
});

describe('organizers required to use it (ORGANIZERS_REQUIRE_TWO_FACTOR=true)', () => {
  it('refuses to publish for a sign-in without the second step, and publishes after one with it', async () => {
    const { user, totp } = await userWithTwoFactor();
    const created = await api('POST', '/v1/events', { token: user.accessToken, body: eventBody() });
    expect(created.status).toBe(201);
    // This access token was issued before two-step sign-in was on: password only.
    const refused = await api('POST', `/v1/events/${created.body.id}/publish`, { token: user.accessToken });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: '/problems/two-factor-required' });

    const signedIn = await codeStep(await passwordStep(user), totp.code(1));
    const published = await api('POST', `/v1/events/${created.body.id}/publish`, {
      token: signedIn.body.access_token,
    });
    expect(published.status).toBe(200);
  });
});

describe('my sign-ins', () => {
  it('shows where each sign-in came from: its address and user agent', async () => {
    const user = await signUp(platform.apiUrl);
    const signedIn = await tokenRequest({
      grant_type: 'password',
      username: user.email,
      password: user.password,
    });
    const list = await api('GET', '/v1/auth/sessions', { token: signedIn.body.access_token });
    expect(list.status).toBe(200);
    const current = list.body.items.find((item: { current: boolean }) => item.current);
    expect(current).toMatchObject({
      ip: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: 'two-factor-test/1.0',
    });
  });
});
