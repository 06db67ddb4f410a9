// Accounts people can trust: passwords that are easy to guess are refused with a reason; a refresh retried after a
// lost answer gets the same pair, a stolen spent token still revokes the sign-in; a forgotten password is reset
// through an emailed single-use link (read from the mail catcher).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { passwordGrant, signUp } from '../../support/accounts';
import { client } from '../../support/http';
import { startTestPlatform } from '../../support/platform';
import { eventBody } from '../events/support';
import { emailsFor } from '../notifications/support';

let platform: Platform;
const api = client(() => platform.apiUrl);

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  process.env.REFRESH_REUSE_GRACE_SECONDS = '2';
  process.env.PUBLISH_REQUIRES_VERIFIED_EMAIL = 'true';
  platform = await startTestPlatform({ schedules: false });
});
afterAll(async () => {
  await platform?.stop();
});

/** The refresh_token grant: its status and JSON body. */
async function refresh(token: string) {
  const response = await fetch(`${platform.apiUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: token }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { access_token: string; refresh_token: string; error?: string },
  };
}

const newAccount = (password: string) => ({
  firstName: 'Grace',
  lastName: 'Hopper',
  email: `grace-${Math.random().toString(36).slice(2)}@example.com`,
  password,
});

describe('the password policy', () => {
  it('refuses a common password at sign-up with a problem naming the field and why', async () => {
    const response = await api('POST', '/v1/auth/register', { body: newAccount('password123') });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      status: 400,
      errors: [{ in: 'body', field: 'password', message: expect.stringContaining('commonly used password') }],
    });
  });

  it("refuses a password made of the user's own name", async () => {
    const response = await api('POST', '/v1/auth/register', { body: newAccount('gracehopper') });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('your name or email');
  });

  it('refuses a common new password at a password change, keeping the old one', async () => {
    const user = await signUp(platform.apiUrl);
    const response = await api('POST', '/v1/auth/password', {
      token: user.accessToken,
      body: { currentPassword: user.password, newPassword: 'qwertyuiop' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ field: 'newPassword' }] });
    const again = await api('POST', '/v1/auth/password', {
      token: user.accessToken,
      body: { currentPassword: user.password, newPassword: 'an entirely new passphrase' },
    });
    expect(again.status).toBe(204);
  });
});

describe('a refresh retried after a lost answer', () => {
  it('gets the same new pair within the grace period, and the pair works', async () => {
    const user = await signUp(platform.apiUrl);
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    const retried = await refresh(user.refreshToken);
    expect(retried).toEqual(first);
    expect((await refresh(first.body.refresh_token)).status).toBe(200);
  });

  it('revokes the whole sign-in when the spent token comes back after the grace period', async () => {
    const user = await signUp(platform.apiUrl);
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    // Within the grace (2 s here) the retry still gets the same pair; past it, the spent token is a stolen copy.
    await expect
      .poll(async () => (await refresh(user.refreshToken)).body.error, { timeout: 30_000, interval: 500 })
      .toBe('invalid_grant');
    expect(await refresh(first.body.refresh_token)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });
});

describe('password reset', () => {
  const requestReset = (email: string) => api('POST', '/v1/auth/password-reset', { body: { email } });
  const confirm = (token: string, newPassword: string) =>
    api('POST', '/v1/auth/password-reset/confirm', { body: { token, newPassword } });
  const tokenIn = (text: string) => /\/reset-password#token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';

  it('answers 202 alike for a registered and an unknown address', async () => {
    const user = await signUp(platform.apiUrl);
    const known = await requestReset(user.email);
    const unknown = await requestReset(`nobody-${Date.now()}@example.com`);
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.body).toEqual(unknown.body);
  });

  it('emails a link whose token sets a new password once and ends every sign-in', async () => {
    const user = await signUp(platform.apiUrl);
    expect((await requestReset(user.email.toUpperCase())).status).toBe(202);
    // The sign-up's verification email first, then the reset.
    const email = (await emailsFor(platform.mailUrl, user.email, 2)).find((one) =>
      one.subject.includes('Reset your'),
    );
    expect(email?.text).toContain('30 minutes');
    const token = tokenIn(email?.text ?? '');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect((await confirm(token, 'qwertyuiop')).status).toBe(400);
    expect((await confirm(token, 'lighthouse keeper marmalade')).status).toBe(204);

    const again = await confirm(token, 'another lighthouse marmalade');
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ type: '/problems/invalid-token' });

    expect((await refresh(user.refreshToken)).status).toBe(400);
    expect((await passwordGrant(platform.apiUrl, user.email, user.password)).status).toBe(400);
    expect((await passwordGrant(platform.apiUrl, user.email, 'lighthouse keeper marmalade')).status).toBe(
      200,
    );
  });

  it('refuses a made-up token', async () => {
    expect((await confirm('A'.repeat(43), 'lighthouse keeper marmalade')).body).toMatchObject({
      status: 400,
      type: '/problems/invalid-token',
    });
  });
});

describe('email verification at sign-up', () => {
  const claimsOf = (accessToken: string) =>
    JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
  const verifyTokenIn = (text: string) => /\/verify-email#token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';

  it('emails a single-use link; once used, the next access token says email_verified', async () => {
    const user = await signUp(platform.apiUrl);
    expect(claimsOf(user.accessToken).email_verified).toBe(false);
    const [email] = await emailsFor(platform.mailUrl, user.email);
    expect(email?.subject).toContain('Confirm your email address');
    const token = verifyTokenIn(email?.text ?? '');

    expect((await api('POST', '/v1/auth/verify-email', { body: { token } })).status).toBe(204);
    const again = await api('POST', '/v1/auth/verify-email', { body: { token } });
    expect(again.body).toMatchObject({ status: 400, type: '/problems/invalid-token' });

    const { access_token } = (await refresh(user.refreshToken)).body;
    expect(claimsOf(access_token).email_verified).toBe(true);
  });

  it('lets an unverified account buy-side only: publishing waits for the verified address', async () => {
    const organizer = await signUp(platform.apiUrl);
    const created = await api('POST', '/v1/events', { token: organizer.accessToken, body: eventBody() });
    expect(created.status).toBe(201);
    const refused = await api('POST', `/v1/events/${created.body.id}/publish`, {
      token: organizer.accessToken,
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: '/problems/email-unverified' });

    const [email] = await emailsFor(platform.mailUrl, organizer.email);
    const token = verifyTokenIn(email?.text ?? '');
    expect((await api('POST', '/v1/auth/verify-email', { body: { token } })).status).toBe(204);
    const { access_token } = (await refresh(organizer.refreshToken)).body;
    const published = await api('POST', `/v1/events/${created.body.id}/publish`, { token: access_token });
    expect(published.status).toBe(200);
  });

  it('resends a link on request, and the new link verifies', async () => {
    const user = await signUp(platform.apiUrl);
    await emailsFor(platform.mailUrl, user.email);
    expect((await api('POST', '/v1/auth/verify-email/resend', { token: user.accessToken })).status).toBe(202);
    const emails = await emailsFor(platform.mailUrl, user.email, 2);
    const latest = verifyTokenIn(emails.at(-1)?.text ?? emails[0]?.text ?? '');
    expect((await api('POST', '/v1/auth/verify-email', { body: { token: latest } })).status).toBe(204);
  });

  it('answers a sign-up with a taken address like a new one and emails the owner instead', async () => {
    const owner = await signUp(platform.apiUrl);
    await emailsFor(platform.mailUrl, owner.email);
    const response = await api('POST', '/v1/auth/register', {
      body: {
        firstName: 'Eve',
        lastName: 'Dropper',
        email: owner.email,
        password: 'lighthouse keeper marmalade',
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const emails = await emailsFor(platform.mailUrl, owner.email, 2);
    expect(emails.map((email) => email.subject)).toContainEqual(expect.stringContaining('tried to sign up'));
  });
});

describe('my sign-ins', () => {
  it('lists them with the current one marked, and ends one or all', async () => {
    const user = await signUp(platform.apiUrl);
    const laptop = (await (await passwordGrant(platform.apiUrl, user.email, user.password)).json()) as {
      refresh_token: string;
    };
    const listed = await api('GET', '/v1/auth/sessions', { token: user.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(2);
    const current = listed.body.items.find((item: { current: boolean }) => item.current);
    const other = listed.body.items.find((item: { current: boolean }) => !item.current);
    expect(current).toMatchObject({ clientId: 'web' });

    // Another user cannot end my sign-in by its id.
    const stranger = await signUp(platform.apiUrl);
    expect(
      (await api('DELETE', `/v1/auth/sessions/${other.id}`, { token: stranger.accessToken })).status,
    ).toBe(204);
    expect((await refresh(laptop.refresh_token)).status).toBe(200);

    expect((await api('DELETE', `/v1/auth/sessions/${other.id}`, { token: user.accessToken })).status).toBe(
      204,
    );
    const after = await api('GET', '/v1/auth/sessions', { token: user.accessToken });
    expect(after.body.items.map((item: { id: string }) => item.id)).toEqual([current.id]);

    expect((await api('DELETE', '/v1/auth/sessions', { token: user.accessToken })).status).toBe(204);
    expect((await refresh(user.refreshToken)).status).toBe(400);
  });
});
