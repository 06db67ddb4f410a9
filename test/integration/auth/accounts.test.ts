// Accounts people can trust: passwords that are easy to guess are refused with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { signUp } from '../../support/accounts';
import { client } from '../../support/http';
import { startTestPlatform } from '../../support/platform';

let platform: Platform;
const api = client(() => platform.apiUrl);

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
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
