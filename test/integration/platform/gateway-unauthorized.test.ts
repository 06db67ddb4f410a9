// The gateway's own 401 (the JWT authorizer refused the token before any function ran) is answered like every
// other API answer: readable by a browser app on another origin (CORS), with the security headers and the
// correlation id, and with the RFC 6750 challenge that tells a client its token is the problem.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth } from '../../../functions/auth/manifest';
import type { Platform } from '../../../local/platform';
import { startTestPlatform } from '../../support/platform';

let platform: Platform;

beforeAll(async () => {
  platform = await startTestPlatform({ manifests: [auth], schedules: false });
});
afterAll(async () => {
  await platform?.stop();
});

const changePassword = (headers: Record<string, string>) =>
  fetch(`${platform.apiUrl}/v1/auth/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://app.example.com', ...headers },
    body: JSON.stringify({ currentPassword: 'old password', newPassword: 'a brand new password' }),
  });

describe('the gateway refusing a bearer token', () => {
  it('answers 401 with CORS, security headers, the correlation id and an invalid_token challenge', async () => {
    const response = await changePassword({
      authorization: 'Bearer not.a.token',
      'x-correlation-id': 'client-trace-42',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(response.headers.get('access-control-allow-origin')).toBeTruthy();
    expect(response.headers.get('access-control-expose-headers')).toContain('x-correlation-id');
    expect(response.headers.get('x-correlation-id')).toBe('client-trace-42');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toBeTruthy();
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('without a token, challenges with Bearer and no error code (RFC 6750 §3.1), still with a correlation id', async () => {
    const response = await changePassword({});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.headers.get('x-correlation-id')).toBeTruthy();
    expect(response.headers.get('access-control-allow-origin')).toBeTruthy();
  });
});
