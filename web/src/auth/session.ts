// The browser's OAuth session (authorization code + PKCE, client `web`), following the IETF guidance for
// browser-based apps: the access token lives in memory only; the refresh token in this tab's sessionStorage (it
// rotates on every use, so a reload keeps the user signed in and closing the tab ends it). One refresh at a time
// per tab: two refreshes with the same token look like theft to the server and end the sign-in.
import { useEffect, useState } from 'preact/hooks';
import { challengeOf, randomToken } from './pkce';

export const CLIENT_ID = 'web';
const PENDING_KEY = 'tol.oauth.pending';
const REFRESH_KEY = 'tol.oauth.refresh';

export interface User {
  id: string;
  email: string;
  givenName: string;
  familyName: string;
}

interface Tokens {
  accessToken: string;
  expiresAt: number;
  user: User;
}

let tokens: Tokens | undefined;
let refreshing: Promise<string | undefined> | undefined;
const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};

export const redirectUri = () => `${location.origin}/callback`;

function decodeClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

function accept(body: { access_token: string; expires_in: number; refresh_token?: string }) {
  const claims = decodeClaims(body.access_token);
  tokens = {
    accessToken: body.access_token,
    // Refresh a little early so a request never leaves with a token about to expire.
    expiresAt: Date.now() + (body.expires_in - 30) * 1000,
    user: {
      id: String(claims.sub ?? ''),
      email: String(claims.email ?? ''),
      givenName: String(claims.given_name ?? ''),
      familyName: String(claims.family_name ?? ''),
    },
  };
  if (body.refresh_token) sessionStorage.setItem(REFRESH_KEY, body.refresh_token);
  notify();
}

function clear() {
  tokens = undefined;
  sessionStorage.removeItem(REFRESH_KEY);
  notify();
}

async function tokenRequest(form: Record<string, string>) {
  const response = await fetch('/v1/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body };
}

/** Sends the whole window to the sign-in page (or the sign-up form with `create`). */
export async function signIn(options: { returnTo?: string; create?: boolean; loginHint?: string } = {}) {
  const state = randomToken(16);
  const verifier = randomToken(32);
  sessionStorage.setItem(
    PENDING_KEY,
    JSON.stringify({ state, verifier, returnTo: options.returnTo ?? location.pathname + location.search }),
  );
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: 'S256',
    scope: 'api',
  });
  if (options.create) query.set('prompt', 'create');
  if (options.loginHint) query.set('login_hint', options.loginHint);
  location.assign(`/oauth/authorize?${query}`);
}

/** The /callback page: checks state, exchanges the code; answers where to go next. */
export async function completeSignIn(params: URLSearchParams): Promise<{ returnTo: string }> {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw
    ? (JSON.parse(raw) as { state: string; verifier: string; returnTo: string })
    : undefined;
  if (!pending || params.get('state') !== pending.state)
    throw new Error('This sign-in was not started here (the state does not match). Please sign in again.');
  const error = params.get('error');
  if (error) {
    throw new Error(
      error === 'access_denied'
        ? 'Sign-in was cancelled.'
        : (params.get('error_description') ?? `Sign-in failed (${error}).`),
    );
  }
  const code = params.get('code');
  if (!code) throw new Error('The sign-in answer carries no code.');
  const answer = await tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri(),
    client_id: CLIENT_ID,
    code_verifier: pending.verifier,
  });
  if (!answer.ok) throw new Error(answer.body.error_description ?? 'The sign-in could not be completed.');
  accept(answer.body);
  return { returnTo: pending.returnTo.startsWith('/') ? pending.returnTo : '/' };
}

function refresh(): Promise<string | undefined> {
  refreshing ??= (async () => {
    const refreshToken = sessionStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return undefined;
    const answer = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: CLIENT_ID,
    });
    if (answer.ok) {
      accept(answer.body);
      return tokens?.accessToken;
    }
    // invalid_grant: the sign-in is over. Other failures (429, network) keep the refresh token for later.
    if (answer.status === 400) clear();
    return undefined;
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** A valid access token, refreshed when needed; undefined when signed out. */
export async function accessToken(options: { forceRefresh?: boolean } = {}): Promise<string | undefined> {
  if (tokens && !options.forceRefresh && Date.now() < tokens.expiresAt) return tokens.accessToken;
  return refresh();
}

export const hasSession = () => tokens !== undefined || sessionStorage.getItem(REFRESH_KEY) !== null;

export async function signOut() {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  clear();
  if (refreshToken) {
    await fetch('/v1/oauth/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: refreshToken,
        token_type_hint: 'refresh_token',
        client_id: CLIENT_ID,
      }),
    }).catch(() => undefined);
  }
}

/** The signed-in user (after a reload, once the refresh token has been exchanged), or undefined. */
export function useUser(): { user: User | undefined; ready: boolean } {
  const [, setVersion] = useState(0);
  const [refreshEnded, setRefreshEnded] = useState(false);
  useEffect(() => {
    const listener = () => setVersion((version) => version + 1);
    listeners.add(listener);
    // Another component's refresh may have ended between this render and now, announced before this listened:
    // render again with what is known, or ask (the refresh under way, if any, is shared).
    if (tokens || !hasSession()) listener();
    else void accessToken().finally(() => setRefreshEnded(true));
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return { user: tokens?.user, ready: tokens !== undefined || !hasSession() || refreshEnded };
}
