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

const email = z.string().trim().max(254).pipe(z.email());

export const registerRequest = z.object({
  firstName: name,
  lastName: name,
  email,
  password,
});

export const registerResponse = z.object({ id: z.uuid() });

export const changePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(PASSWORD_MAX),
  newPassword: password,
});

/** The secret of an emailed link (its fragment's token=...). */
const linkToken = z.string().min(1).max(100).describe('The token from the emailed link');

export const passwordResetRequest = z.object({ email }).meta({ examples: [{ email: 'ada@example.com' }] });
export const passwordResetConfirm = z
  .object({ token: linkToken, newPassword: password })
  .meta({ examples: [{ token: 'from the emailed link', newPassword: 'four unrelated words here' }] });

export const verifyEmailRequest = z
  .object({ token: linkToken })
  .meta({ examples: [{ token: 'from the emailed link' }] });

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
        Object.entries(fields).map(([name, description]) => [
          name,
          z.string().optional().describe(description),
        ]),
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

// The authorization endpoint's parameters are all optional here: what is missing or wrong must be answered the
// RFC 6749 way (an error page or a redirect with error=), not with a problem+json.
const optional = z.string().optional();
export const authorizeQuery = z.object({
  response_type: optional.describe('Must be "code"'),
  client_id: optional.describe('A registered client, e.g. "web"'),
  redirect_uri: optional.describe("One of the client's registered redirect URIs, exactly"),
  state: optional.describe('Required; returned unchanged with the code or the error'),
  code_challenge: optional.describe('BASE64URL(SHA-256(code_verifier)), 43 characters'),
  code_challenge_method: optional.describe('Must be "S256"'),
  scope: optional.describe('Default and only scope: api'),
  prompt: optional.describe('"create" shows the sign-up form first'),
  login_hint: optional.describe('Pre-fills the email field'),
});
const csrf = optional.describe('The token of the form the page rendered (bound to its cookie and request)');
export const authorizeForm = authorizeQuery.extend({
  email: optional,
  password: optional,
  cancel: optional.describe('Present when the user pressed Cancel: redirects with error=access_denied'),
  csrf,
});
export const signupForm = authorizeQuery.extend({
  firstName: optional,
  lastName: optional,
  email: optional,
  password: optional,
  csrf,
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
  authorization_endpoint: z.string(),
  response_types_supported: z.array(z.string()),
  grant_types_supported: z.array(z.string()),
  code_challenge_methods_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
});

export const signInIdParams = z.object({ id: z.uuid('Must be a sign-in id (a UUID).') });
export const signInsPage = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      clientId: z.string(),
      createdAt: z.iso.datetime(),
      lastUsedAt: z.iso.datetime().describe('The last refresh, or the sign-in itself'),
      current: z.boolean().describe('The sign-in of the access token making this call'),
    }),
  ),
  nextCursor: z.null(),
});
