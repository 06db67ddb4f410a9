// Accounts people can trust: passwords that are easy to guess are refused with a reason; a refresh retried after a
// lost answer gets the same pair, a stolen spent token still revokes the sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { signUp } from '../../support/accounts';
import { client } from '../../support/http';
import { startTestPlatform } from '../../support/platform';

let platform: Platform;
const api = client(() => platform.apiUrl);

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  process.env.REFRESH_REUSE_GRACE_SECONDS = '2';
  platform = await startTestPlatform({ schedules: false });
});
afterAll(async () => {
  await platform?.stop();
});

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
  const refresh = async (token: string) => {
    const response = await fetch(`${platform.apiUrl}/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: token }),
    });
    return { status: response.status, body: await response.json() };
  };

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
