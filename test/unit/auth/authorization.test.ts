// The authorization endpoint's rules on their own: which request gets an error page, which a redirect with error=,
// and the CSRF token that fits only its own cookie and request.
import { describe, expect, it } from 'vitest';
import {
  type AuthorizationParams,
  checkAuthorizationRequest,
  csrfMatches,
  csrfToken,
} from '../../../functions/auth/authorization';
import type { Client } from '../../../functions/auth/oauth';
import { OAuthError } from '../../../layers/common/errors';

const web: Client = {
  id: 'web',
  grantTypes: ['authorization_code', 'refresh_token'],
  scopes: ['api'],
  redirectUris: ['https://app.example/callback'],
};
const checks = {
  findClient: async (id: string) => (id === 'web' ? web : undefined),
  grantedScope: (_client: Client, requested: string | undefined) => {
    if (requested && requested !== 'api') throw new OAuthError('invalid_scope', 'Scope not available.');
    return 'api';
  },
  issuer: 'https://api.example',
};
const valid: AuthorizationParams = {
  response_type: 'code',
  client_id: 'web',
  redirect_uri: 'https://app.example/callback',
  state: 'xyz',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
};

const check = (overrides: AuthorizationParams) =>
  checkAuthorizationRequest({ ...valid, ...overrides }, checks);
const redirectOf = async (overrides: AuthorizationParams) => {
  const checked = await check(overrides);
  if (checked.kind !== 'redirect') throw new Error(`expected a redirect, got ${checked.kind}`);
  return new URL(checked.location);
};

describe('checkAuthorizationRequest', () => {
  it('accepts a complete S256 request and grants the default scope', async () => {
    expect(await check({})).toEqual({
      kind: 'ok',
      request: {
        clientId: 'web',
        redirectUri: 'https://app.example/callback',
        state: 'xyz',
        codeChallenge: valid.code_challenge,
        scope: 'api',
        prompt: undefined,
        loginHint: undefined,
      },
    });
  });

  it('never redirects for an unknown client or a redirect URI the client has not registered', async () => {
    for (const overrides of [
      { client_id: 'nobody' },
      { client_id: undefined },
      { redirect_uri: 'https://evil.example/callback' },
      { redirect_uri: 'https://app.example/callback/' },
      { redirect_uri: undefined },
    ]) {
      expect((await check(overrides)).kind).toBe('page');
    }
  });

  it('sends every other mistake back with its RFC 6749 error code and the state', async () => {
    const cases: [AuthorizationParams, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
      [{ code_challenge: 'too-short' }, 'invalid_request'],
      [{ state: 'x'.repeat(3000) }, 'invalid_request'],
      [{ scope: 'admin' }, 'invalid_scope'],
    ];
    for (const [overrides, error] of cases) {
      const location = await redirectOf(overrides);
      expect(location.origin + location.pathname).toBe('https://app.example/callback');
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('iss')).toBe('https://api.example');
    }
    expect((await redirectOf({ response_type: 'token' })).searchParams.get('state')).toBe('xyz');
  });

  it('requires state, and without one redirects with no state at all', async () => {
    const location = await redirectOf({ state: undefined });
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.has('state')).toBe(false);
  });

  it('refuses a client that may not use the code grant', async () => {
    const passwordOnly = { ...web, grantTypes: ['password'] };
    const checked = await checkAuthorizationRequest(valid, {
      ...checks,
      findClient: async () => passwordOnly,
    });
    expect(checked.kind === 'redirect' && new URL(checked.location).searchParams.get('error')).toBe(
      'unauthorized_client',
    );
  });
});

describe('csrfToken', () => {
  const request = {
    clientId: 'web',
    redirectUri: 'https://app.example/callback',
    state: 'xyz',
    codeChallenge: String(valid.code_challenge),
    scope: 'api',
  };

  it('fits its own cookie nonce and request only', () => {
    const token = csrfToken('nonce-a', request);
    expect(csrfMatches(token, 'nonce-a', request)).toBe(true);
    expect(csrfMatches(token, 'nonce-b', request)).toBe(false);
    expect(csrfMatches(token, 'nonce-a', { ...request, state: 'other' })).toBe(false);
    expect(csrfMatches(token, 'nonce-a', { ...request, redirectUri: 'https://app.example/other' })).toBe(
      false,
    );
    expect(csrfMatches(undefined, 'nonce-a', request)).toBe(false);
    expect(csrfMatches(token, undefined, request)).toBe(false);
  });
});
