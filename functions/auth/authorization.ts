// The authorization endpoint's rules (RFC 6749 §4.1, RFC 7636 with S256 only, RFC 9207's iss): which request gets
// an error page and which a redirect carrying error=, and the CSRF token that binds a sign-in form to its request.
import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../../layers/common/errors';
import type { Client } from './oauth';

export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scope: string;
  /** "create": show the sign-up form first (OpenID Connect Prompt Create). */
  prompt?: 'create';
  loginHint?: string;
}

/** The request parameters as they arrive, in the query of GET or the form of POST. */
export type AuthorizationParams = Partial<
  Record<
    | 'response_type'
    | 'client_id'
    | 'redirect_uri'
    | 'state'
    | 'code_challenge'
    | 'code_challenge_method'
    | 'scope'
    | 'prompt'
    | 'login_hint',
    string
  >
>;

export type CheckedRequest =
  | { kind: 'ok'; request: AuthorizationRequest }
  /** The client or redirect URI cannot be trusted: tell the user, never redirect (RFC 6749 §4.1.2.1). */
  | { kind: 'page'; message: string }
  | { kind: 'redirect'; location: string };

export interface RequestChecks {
  findClient(id: string): Promise<Client | undefined>;
  grantedScope(client: Client, requested: string | undefined): string;
  issuer: string;
}

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_PARAM = 2048;

/** The client's redirect URI with the response parameters (and the issuer, RFC 9207) added to its query. */
export function authorizationResponse(
  redirectUri: string,
  issuer: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.append(key, value);
  url.searchParams.append('iss', issuer);
  return url.href;
}

export async function checkAuthorizationRequest(
  params: AuthorizationParams,
  checks: RequestChecks,
): Promise<CheckedRequest> {
  const clientId = params.client_id;
  const client = clientId ? await checks.findClient(clientId) : undefined;
  if (!client) return { kind: 'page', message: 'This sign-in link names no client we know.' };
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    return {
      kind: 'page',
      message: 'This sign-in link would send you to an address the app has not registered.',
    };
  }

  const state = params.state;
  const refuse = (error: string, description: string): CheckedRequest => ({
    kind: 'redirect',
    location: authorizationResponse(redirectUri, checks.issuer, {
      error,
      error_description: description,
      state: state || undefined,
    }),
  });
  const tooLong = Object.entries(params).find(([, value]) => (value?.length ?? 0) > MAX_PARAM);
  if (tooLong) return refuse('invalid_request', `The ${tooLong[0]} parameter is too long.`);
  if (params.response_type !== 'code')
    return refuse('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.grantTypes.includes('authorization_code'))
    return refuse('unauthorized_client', 'This client may not use the authorization code grant.');
  if (!state) return refuse('invalid_request', 'The state parameter is required.');
  if (!params.code_challenge) return refuse('invalid_request', 'PKCE is required: send a code_challenge.');
  if (params.code_challenge_method !== 'S256')
    return refuse('invalid_request', 'code_challenge_method must be S256.');
  if (!CHALLENGE.test(params.code_challenge))
    return refuse('invalid_request', 'code_challenge must be 43 base64url characters (S256).');
  let scope: string;
  try {
    scope = checks.grantedScope(client, params.scope);
  } catch (error) {
    if (error instanceof OAuthError) return refuse(error.error, error.message);
    throw error;
  }
  return {
    kind: 'ok',
    request: {
      clientId: client.id,
      redirectUri,
      state,
      codeChallenge: params.code_challenge,
      scope,
      prompt: params.prompt === 'create' ? 'create' : undefined,
      loginHint: params.login_hint,
    },
  };
}

/** The request's parameters again, for the hidden fields and links of the sign-in and sign-up pages. */
export function requestParams(request: AuthorizationRequest): Record<string, string> {
  return {
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: 'S256',
    scope: request.scope,
  };
}

/**
 * The form's CSRF token: a hash of the browser's secret cookie nonce and the request it signs in for. A page on
 * another site can read neither the cookie nor the token, and a token fits only the request it was shown for.
 */
export function csrfToken(nonce: string, request: AuthorizationRequest): string {
  const bound = [
    nonce,
    request.clientId,
    request.redirectUri,
    request.state,
    request.codeChallenge,
    request.scope,
  ];
  return createHash('sha256').update(JSON.stringify(bound)).digest('base64url');
}

export function csrfMatches(
  presented: string | undefined,
  nonce: string | undefined,
  request: AuthorizationRequest,
) {
  if (!presented || !nonce) return false;
  const expected = Buffer.from(csrfToken(nonce, request));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
