// Two-step sign-in (TOTP) through the API: enrolment confirmed by the password and a first code, the password grant
// answering mfa_required with an mfa_token that the code then redeems once, codes and recovery codes that work once,
// guesses throttled, turning it off and replacing the recovery codes only with the password and a code, and an
// email to the owner (through the mail catcher) at each change.
import { TOTP } from 'otpauth';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { passwordGrant, signUp, type TestUser } from '../../support/accounts';
import { client } from '../../support/http';
import { startTestPlatform } from '../../support/platform';
import { eventBody } from '../events/support';
import { eventually, inbox } from '../notifications/support';

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
  secret,
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
    body: { password: user.password, code: totp.code() },
  });
  expect(confirmed.status).toBe(200);
  return { user, totp, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

/** The email to `to` whose subject has `subject` in it, once it has arrived. */
const emailAbout = (to: string, subject: string) =>
  eventually(
    async () => (await inbox(platform.mailUrl, to)).find((email) => email.subject.includes(subject)),
    30_000,
    `an email to ${to} about "${subject}"`,
  );

const claimsOf = (accessToken: string) =>
  JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString());

describe('two-step sign-in', () => {
  it('turns on only with a right first code, and answers ten recovery codes once', async () => {
    const user = await signUp(platform.apiUrl);
    const enrolled = await api('POST', '/v1/auth/two-factor', { token: user.accessToken });
    const wrong = await api('POST', '/v1/auth/two-factor/confirm', {
      token: user.accessToken,
      body: {
        password: user.password,
        code: '000000' === app(enrolled.body.secret).code() ? '111111' : '000000',
      },
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
      body: { password: user.password, code: app(enrolled.body.secret).code() },
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
      body: { password: user.password, code: app(enrolled.body.secret).code() },
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

  it('turns off with the password and a code, and emails the owner; the password alone signs in again', async () => {
    const { user, totp } = await userWithTwoFactor();
    const token = user.accessToken;
    const disable = (body: Record<string, string>) =>
      api('POST', '/v1/auth/two-factor/disable', { token, body });
    expect((await disable({ password: user.password, code: totp.code(1) })).status).toBe(204);
    expect((await passwordGrant(platform.apiUrl, user.email, user.password)).status).toBe(200);
    const email = await emailAbout(user.email, 'Two-step sign-in was turned off');
    expect(email.text).toContain('If this was not you, reset your password');
  });
});

// Review finding 2: with a stolen access token (no password, no authenticator), an attacker must not be able to turn
// two-step sign-in on with their own app, turn it off, take new recovery codes, or delete the account.
describe('a stolen access token alone', () => {
  it('cannot turn two-step sign-in on with an app of its own: the password is required', async () => {
    const victim = await signUp(platform.apiUrl);
    const enrolled = await api('POST', '/v1/auth/two-factor', { token: victim.accessToken });
    const attackerApp = app(enrolled.body.secret);
    const confirm = (body: Record<string, string>) =>
      api('POST', '/v1/auth/two-factor/confirm', { token: victim.accessToken, body });
    expect((await confirm({ code: attackerApp.code() })).status).toBe(400);
    expect((await confirm({ password: 'a guess', code: attackerApp.code() })).status).toBe(403);
    expect((await api('GET', '/v1/auth/two-factor', { token: victim.accessToken })).body.enabled).toBe(false);
    // The owner, with the password, turns it on, and is told by email.
    expect((await confirm({ password: victim.password, code: attackerApp.code() })).status).toBe(200);
    const email = await emailAbout(victim.email, 'Two-step sign-in is now on');
    expect(email.text).toContain('/profile');
  });

  it('cannot turn it off with the password alone, or with a code alone', async () => {
    const { user, totp } = await userWithTwoFactor();
    const disable = (body: Record<string, string>) =>
      api('POST', '/v1/auth/two-factor/disable', { token: user.accessToken, body });
    expect(await disable({ password: user.password })).toMatchObject({ status: 400 });
    expect((await disable({ code: totp.code(1) })).status).toBe(400);
    expect((await disable({ password: 'a guess', code: totp.code(1) })).status).toBe(403);
    expect(
      (await disable({ password: user.password, code: '000000' === totp.code(1) ? '111111' : '000000' }))
        .status,
    ).toBe(403);
    expect((await api('GET', '/v1/auth/two-factor', { token: user.accessToken })).body.enabled).toBe(true);
  });

  it('cannot delete an account with two-step sign-in on: the password and a code are both required', async () => {
    const { user, recoveryCodes } = await userWithTwoFactor();
    const remove = (body: Record<string, string>) =>
      api('DELETE', '/v1/me', { token: user.accessToken, body });
    const passwordOnly = await remove({ password: user.password });
    expect(passwordOnly).toMatchObject({
      status: 403,
      body: { type: '/problems/two-factor-code-required' },
    });
    expect((await remove({ password: 'a guess', code: recoveryCodes[0] ?? '' })).status).toBe(403);
    // Still there: the password grant asks for the second step.
    await passwordStep(user);
    // With both (a recovery code serves as the code), the account goes, and its owner is told.
    expect((await remove({ password: user.password, code: recoveryCodes[1] ?? '' })).status).toBe(204);
    const gone = await tokenRequest({
      grant_type: 'password',
      username: user.email,
      password: user.password,
    });
    expect(gone).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const email = await emailAbout(user.email, 'account was deleted');
    expect(email.text).toContain('deleted at your request');
  });
});

describe('new recovery codes', () => {
  it('replace the old ones with the password and a code; the old ones stop working and the owner is told', async () => {
    const { user, totp, recoveryCodes } = await userWithTwoFactor();
    const regenerate = (body: Record<string, string>) =>
      api('POST', '/v1/auth/two-factor/recovery-codes', { token: user.accessToken, body });
    expect((await regenerate({ password: user.password })).status).toBe(400);
    expect((await regenerate({ password: 'a guess', code: totp.code(1) })).status).toBe(403);
    const fresh = await regenerate({ password: user.password, code: totp.code(1) });
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    expect(await codeStep(await passwordStep(user), recoveryCodes[0] ?? '')).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect((await codeStep(await passwordStep(user), fresh.body.recoveryCodes[0])).status).toBe(200);
    await emailAbout(user.email, 'New recovery codes');
  });
});

// Review finding 4: the database must not hand over the second factor of every account.
describe('the TOTP secret at rest', () => {
  const storedSecret = async (accountId: string, replaceWith?: string) => {
    const auth = new pg.Client({ connectionString: platform.databaseUrls.auth });
    await auth.connect();
    try {
      if (replaceWith)
        await auth.query('UPDATE accounts SET totp_secret = $2 WHERE id = $1', [accountId, replaceWith]);
      const { rows } = await auth.query<{ totp_secret: string }>(
        'SELECT totp_secret FROM accounts WHERE id = $1',
        [accountId],
      );
      return rows[0]?.totp_secret ?? '';
    } finally {
      await auth.end();
    }
  };

  it('is stored encrypted, and a secret stored in plain text before is still taken and then encrypted', async () => {
    const { user, totp } = await userWithTwoFactor();
    const sealed = await storedSecret(user.id);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\./);
    expect(sealed).not.toMatch(/^[A-Z2-7]+=*$/);

    // A row from before encryption: the plain base32 secret.
    const plain = totp.secret;
    await storedSecret(user.id, plain);
    expect((await codeStep(await passwordStep(user), totp.code(1))).status).toBe(200);
    const resealed = await storedSecret(user.id);
    expect(resealed).toMatch(/^v1\./);
    expect(resealed).not.toContain(plain);
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
