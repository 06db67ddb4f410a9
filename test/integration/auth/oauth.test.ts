// Accounts and the OAuth 2.0 authorization server, driven the way client developers will drive it: a standard
// client library that knows only the issuer URL and a client id, and jose's remote JWKS to verify access tokens.

import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Platform } from '../../../local/platform';
import { passwordGrant, registerUser, signUp } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';

let platform: Platform;
let logged = '';

beforeAll(async () => {
  platform = await startTestPlatform({ schedules: false });
  // Every log line the functions write (through `console` under the tests' POWERTOOLS_DEV), to check that no
  // password or token ever reaches one.
  for (const method of ['log', 'debug', 'info', 'warn', 'error'] as const) {
    const print = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged += `${args.map(String).join(' ')}\n`;
      print(...args);
    });
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await platform?.stop();
});

const form = (params: Record<string, string>) =>
  fetch(`${platform.apiUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });

async function discover() {
  return client.discovery(new URL(platform.apiUrl), 'web', undefined, client.None(), {
    execute: [client.allowInsecureRequests],
    algorithm: 'oauth2',
  });
}

describe('sign-up', () => {
  it('creates an account; the same email in another case creates none and answers alike', async () => {
    const user = await registerUser(platform.apiUrl, { email: 'Grace.Hopper@Example.com' });
    expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await fetch(`${platform.apiUrl}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        firstName: 'G',
        lastName: 'H',
        email: 'grace.hopper@example.com',
        password: 'another password',
      }),
    });
    // Sign-up does not tell whether an address is registered (its owner is emailed instead): same status and shape.
    expect(again.status).toBe(201);
    const { id } = (await again.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(user.id);
    expect(
      (await passwordGrant(platform.apiUrl, 'grace.hopper@example.com', 'another password')).status,
    ).toBe(400);
    expect((await passwordGrant(platform.apiUrl, 'grace.hopper@example.com', user.password)).status).toBe(
      200,
    );
  });

  it('lists every bad field: invalid email, short password, missing and over-long names', async () => {
    const response = await fetch(`${platform.apiUrl}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lastName: 'x'.repeat(101), email: 'not-an-email', password: 'short' }),
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((error) => error.field).sort()).toEqual([
      'email',
      'firstName',
      'lastName',
      'password',
    ]);
  });

  it('refuses a password longer than 128 characters', async () => {
    const response = await fetch(`${platform.apiUrl}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        firstName: 'A',
        lastName: 'B',
        email: 'long@example.com',
        password: 'p'.repeat(129),
      }),
    });
    expect(response.status).toBe(400);
  });

  it('stores SQL metacharacters as plain text', async () => {
    const user = await registerUser(platform.apiUrl, {
      firstName: "Robert'); DROP TABLE accounts;--",
      lastName: '"\\%_',
    });
    const login = await passwordGrant(platform.apiUrl, user.email, user.password);
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.given_name).toBe("Robert'); DROP TABLE accounts;--");
  });
});

describe('a standard OAuth client', () => {
  it('discovers the server, signs in with the password grant, refreshes and revokes', async () => {
    const user = await registerUser(platform.apiUrl);
    const config = await discover();
    expect(config.serverMetadata().issuer).toBe(platform.apiUrl);

    const tokens = await client.genericGrantRequest(config, 'password', {
      username: user.email,
      password: user.password,
    });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.expires_in).toBeLessThanOrEqual(900);

    // jose, with nothing but the JWKS URL from the metadata, verifies the access token.
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri ?? ''));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: platform.apiUrl,
      audience: 'ticketorleaveit-api',
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload.sub).toBe(user.id);
    expect(payload.client_id).toBe('web');
    expect(payload.scope).toBe('api');
    expect(payload.jti).toBeTruthy();
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBeLessThanOrEqual(900);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    await client.tokenRevocation(config, refreshed.refresh_token ?? '', { token_type_hint: 'refresh_token' });
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('accepts its access token on a protected route and refuses one that is tampered with', async () => {
    const user = await signUp(platform.apiUrl);
    const call = (token: string) =>
      fetch(`${platform.apiUrl}/v1/auth/password`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: 'not my password', newPassword: 'a brand new password' }),
      });
    expect((await call(user.accessToken)).status).toBe(403);
    const [header, payload, signature] = user.accessToken.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${signature}`;
    expect((await call(tampered)).status).toBe(401);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    expect((await call(none)).status).toBe(401);
  });
});

describe('refresh tokens', () => {
  it('detect reuse: presenting a spent token revokes every token of its family', async () => {
    const user = await signUp(platform.apiUrl);
    const first = await form({
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: user.refreshToken,
    });
    expect(first.status).toBe(200);
    const { refresh_token: successor } = (await first.json()) as { refresh_token: string };
    // The client goes on with its new token; a copy of the spent one shows up afterwards (within the retry grace
    // too: once its successor was used, the spent token is no lost answer's retry).
    const next = await form({ grant_type: 'refresh_token', client_id: 'web', refresh_token: successor });
    expect(next.status).toBe(200);
    const { refresh_token: second } = (await next.json()) as { refresh_token: string };

    const replay = await form({
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: user.refreshToken,
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });

    const afterReuse = await form({ grant_type: 'refresh_token', client_id: 'web', refresh_token: second });
    expect(afterReuse.status).toBe(400);
    expect(await afterReuse.json()).toMatchObject({ error: 'invalid_grant' });

    // Other sign-ins of the same user are not affected.
    const otherSession = await passwordGrant(platform.apiUrl, user.email, user.password);
    expect(otherSession.status).toBe(200);
  });
});

describe('a refresh asking for a scope it cannot have', () => {
  it('is refused without spending the refresh token', async () => {
    const user = await signUp(platform.apiUrl);
    const refused = await form({
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: user.refreshToken,
      scope: 'admin',
    });
    expect(await refused.json()).toMatchObject({ error: 'invalid_scope' });
    const retry = await form({
      grant_type: 'refresh_token',
      client_id: 'web',
      refresh_token: user.refreshToken,
    });
    expect(retry.status).toBe(200);
  });
});

describe('token endpoint errors follow RFC 6749 section 5.2', () => {
  it('answers an unknown email and a wrong password identically', async () => {
    const user = await registerUser(platform.apiUrl);
    const wrongPassword = await passwordGrant(platform.apiUrl, user.email, 'not the password');
    const unknownEmail = await passwordGrant(
      platform.apiUrl,
      `nobody-${Date.now()}@example.com`,
      'not the password',
    );
    expect(wrongPassword.status).toBe(400);
    expect(unknownEmail.status).toBe(400);
    const [a, b] = [await wrongPassword.json(), await unknownEmail.json()];
    expect(a).toEqual(b);
    expect(a).toMatchObject({ error: 'invalid_grant' });
    expect(wrongPassword.headers.get('cache-control')).toBe('no-store');
  });

  it('names the problem: unsupported grant, unknown client, missing parameter', async () => {
    expect(await (await form({ grant_type: 'client_credentials', client_id: 'web' })).json()).toMatchObject({
      error: 'unsupported_grant_type',
    });
    const unknownClient = await form({
      grant_type: 'password',
      client_id: 'mallory',
      username: 'a',
      password: 'b',
    });
    expect(unknownClient.status).toBe(401);
    expect(await unknownClient.json()).toMatchObject({ error: 'invalid_client' });
    expect(
      await (await form({ grant_type: 'password', client_id: 'web', password: 'b' })).json(),
    ).toMatchObject({
      error: 'invalid_request',
    });
    expect(await (await form({ client_id: 'web' })).json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('password change', () => {
  it('keeps this sign-in, revokes the others, and retires the old password', async () => {
    const user = await signUp(platform.apiUrl);
    const other = (await (await passwordGrant(platform.apiUrl, user.email, user.password)).json()) as {
      refresh_token: string;
    };
    const response = await fetch(`${platform.apiUrl}/v1/auth/password`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: user.password, newPassword: 'an entirely new passphrase' }),
    });
    expect(response.status).toBe(204);

    expect(
      (await form({ grant_type: 'refresh_token', client_id: 'web', refresh_token: user.refreshToken }))
        .status,
    ).toBe(200);
    expect(
      (await form({ grant_type: 'refresh_token', client_id: 'web', refresh_token: other.refresh_token }))
        .status,
    ).toBe(400);
    expect((await passwordGrant(platform.apiUrl, user.email, user.password)).status).toBe(400);
    expect((await passwordGrant(platform.apiUrl, user.email, 'an entirely new passphrase')).status).toBe(200);
  });
});

describe('keys and metadata', () => {
  it('publishes RFC 8414 metadata and a JWKS whose key signed the tokens', async () => {
    const metadata = (await (
      await fetch(`${platform.apiUrl}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: platform.apiUrl,
      token_endpoint: `${platform.apiUrl}/v1/oauth/token`,
      revocation_endpoint: `${platform.apiUrl}/v1/oauth/revoke`,
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'password',
        'urn:ticketorleaveit:params:oauth:grant-type:mfa-otp',
      ],
    });
    const openid = await (await fetch(`${platform.apiUrl}/.well-known/openid-configuration`)).json();
    expect(openid).toMatchObject({ issuer: platform.apiUrl, jwks_uri: metadata.jwks_uri });

    const { keys } = (await (await fetch(String(metadata.jwks_uri))).json()) as {
      keys: { kid: string; d?: string }[];
    };
    const user = await signUp(platform.apiUrl);
    expect(keys.map((key) => key.kid)).toContain(decodeProtectedHeader(user.accessToken).kid);
    expect(keys.every((key) => key.d === undefined)).toBe(true);
  });
});

describe('signing key rotation', () => {
  it('publishes the new key next to the old one, and signs with it only once verifiers can know it', async () => {
    const before = await signUp(platform.apiUrl);
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const { handler: rotate } = await import('../../../functions/auth/rotate-keys.schedule');
    process.env.SIGNING_KEY_MAX_AGE_DAYS = '0';
    try {
      expect(await rotate()).toEqual({ rotated: true });
    } finally {
      delete process.env.SIGNING_KEY_MAX_AGE_DAYS;
    }
    const { keys } = (await (await fetch(`${platform.apiUrl}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(keys).toHaveLength(2);
    expect(keys.map((key) => key.kid)).toContain(oldKid);

    // Freshly published: tokens are still signed with the previous key.
    const during = await signUp(platform.apiUrl);
    expect(decodeProtectedHeader(during.accessToken).kid).toBe(oldKid);

    process.env.SIGNING_KEY_PUBLISH_DELAY_MINUTES = '0';
    try {
      const after = await signUp(platform.apiUrl);
      const newKid = decodeProtectedHeader(after.accessToken).kid;
      expect(newKid).not.toBe(oldKid);
      expect(keys.map((key) => key.kid)).toContain(newKid);
      // Both keys verify: a token from before the rotation keeps working until it expires.
      const jwks = createRemoteJWKSet(new URL(`${platform.apiUrl}/.well-known/jwks.json`));
      for (const token of [before.accessToken, after.accessToken]) {
        await expect(
          jwtVerify(token, jwks, { issuer: platform.apiUrl, audience: 'ticketorleaveit-api' }),
        ).resolves.toBeTruthy();
      }
    } finally {
      delete process.env.SIGNING_KEY_PUBLISH_DELAY_MINUTES;
    }
  });
});

describe('secrets', () => {
  it('never writes a password or a token to the logs', async () => {
    const user = await signUp(platform.apiUrl, { password: 'log-canary-password-5501' });
    await form({ grant_type: 'refresh_token', client_id: 'web', refresh_token: user.refreshToken });
    await passwordGrant(platform.apiUrl, user.email, 'log-canary-wrong-password');
    expect(logged).toContain('request completed');
    expect(logged).not.toContain('log-canary');
    expect(logged).not.toContain(user.refreshToken);
    expect(logged).not.toContain(user.accessToken.split('.')[2]);
  });
});
