// Helpers for tests that need signed-in users: sign-up and the password grant through the real auth service.
import { randomUUID } from 'node:crypto';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerUser(
  apiUrl: string,
  overrides: Partial<{ email: string; password: string; firstName: string; lastName: string }> = {},
) {
  const body = {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: `ada-${randomUUID()}@example.com`,
    password: 'correct horse battery staple',
    ...overrides,
  };
  const response = await fetch(`${apiUrl}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`register failed: ${response.status} ${await response.text()}`);
  return { ...body, id: ((await response.json()) as { id: string }).id };
}

export async function passwordGrant(apiUrl: string, email: string, password: string) {
  return fetch(`${apiUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username: email, password }),
  });
}

/** The refresh_token grant of the web client (its answer as it comes). */
export async function refreshGrant(apiUrl: string, refreshToken: string) {
  return fetch(`${apiUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: refreshToken }),
  });
}

/** Registers a user and signs them in. */
export async function signUp(
  apiUrl: string,
  overrides: Parameters<typeof registerUser>[1] = {},
): Promise<TestUser> {
  const user = await registerUser(apiUrl, overrides);
  const response = await passwordGrant(apiUrl, user.email, user.password);
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const tokens = (await response.json()) as { access_token: string; refresh_token: string };
  return {
    id: user.id,
    email: user.email,
    password: user.password,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  };
}
