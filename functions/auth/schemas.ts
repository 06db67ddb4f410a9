// Request and response schemas of the auth service.
import * as z from 'zod';

// No control characters in names: they break emails, CSV exports and log lines.
const name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]*$/u, 'Must not contain control characters');

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const password = z
  .string()
  .min(PASSWORD_MIN, `Must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Must be at most ${PASSWORD_MAX} characters`);

export const registerRequest = z.object({
  firstName: name,
  lastName: name,
  email: z.string().trim().max(254).pipe(z.email()),
  password,
});

export const registerResponse = z.object({ id: z.uuid() });

export const changePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: password,
});

/** Form parameters arrive as strings; each grant checks its own (RFC 6749 wants its own error format). */
export const oauthForm = z.record(z.string(), z.string());

/**
 * An OAuth form as the OpenAPI document lists it: every field optional to the HTTP wrapper (which grant needs which
 * is the token endpoint's own check, answered in RFC 6749's error format), unknown fields allowed as RFC 6749 says.
 */
const declaredForm = (fields: Record<string, string>) =>
  z
    .object(
      Object.fromEntries(
        Object.entries(fields).map(([name, description]) => [name, z.string().optional().describe(description)]),
      ),
    )
    .catchall(z.string())
    .pipe(oauthForm);

const clientFields = { client_id: 'The client, e.g. web', client_secret: 'Confidential clients only' };

export const tokenForm = declaredForm({
  grant_type: 'authorization_code, password or refresh_token',
  ...clientFields,
  username: 'password grant: the account email',
  password: 'password grant',
  refresh_token: 'refresh_token grant',
  code: 'authorization_code grant: the code from the redirect',
  redirect_uri: 'authorization_code grant: as sent to the authorization endpoint',
  code_verifier: 'authorization_code grant: the PKCE verifier (RFC 7636)',
  scope: 'Space-separated scopes; at most those the client or the refreshed token holds',
});

export const revokeForm = declaredForm({
  token: 'The refresh or access token to revoke (RFC 7009)',
  token_type_hint: 'refresh_token or access_token',
  ...clientFields,
});

export const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
  scope: z.string(),
});

export const oauthErrorResponse = z.object({ error: z.string(), error_description: z.string().optional() });

export const jwksResponse = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

export const metadataResponse = z.object({
  issuer: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  revocation_endpoint: z.string(),
  grant_types_supported: z.array(z.string()),
});
