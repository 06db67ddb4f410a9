// Token revocation (RFC 7009): the token_type_hint is only a hint (§2.1), so a client that names the wrong type
// still ends the sign-in it means to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth } from '../../../functions/auth/manifest';
import type { Platform } from '../../../local/platform';
import { signUp } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';

let platform: Platform;

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  platform = await startTestPlatform({ manifests: [auth], schedules: false });
});
afterAll(async () => {
  await platform?.stop();
});

const post = (path: string, fields: Record<string, string>) =>
  fetch(`${platform.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'web', ...fields }),
  });
const refresh = (token: string) =>
  post('/v1/oauth/token', { grant_type: 'refresh_token', refresh_token: token });

describe('revocation with a wrong token_type_hint', () => {
  it('revokes a refresh token hinted as an access token', async () => {
    const user = await signUp(platform.apiUrl);
    const revoked = await post('/v1/oauth/revoke', {
      token: user.refreshToken,
      token_type_hint: 'access_token',
    });
    expect(revoked.status).toBe(200);
    const answer = await refresh(user.refreshToken);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it("revokes an access token's sign-in when it is hinted as a refresh token", async () => {
    const user = await signUp(platform.apiUrl);
    const revoked = await post('/v1/oauth/revoke', {
      token: user.accessToken,
      token_type_hint: 'refresh_token',
    });
    expect(revoked.status).toBe(200);
    expect((await refresh(user.refreshToken)).status).toBe(400);
  });

  it('still revokes with a hint of a type the server does not know', async () => {
    const user = await signUp(platform.apiUrl);
    await post('/v1/oauth/revoke', { token: user.refreshToken, token_type_hint: 'id_token' });
    expect((await refresh(user.refreshToken)).status).toBe(400);
  });
});
