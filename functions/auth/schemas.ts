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

// Trimmed before it is checked; documented as what it must be once trimmed.
const email = z.string().trim().max(254).pipe(z.email()).meta({ format: 'email' });

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
  grant_type:
    'authorization_code, password, refresh_token, or urn:ticketorleaveit:params:oauth:grant-type:mfa-otp (the second step of a password sign-in answered mfa_required)',
  ...clientFields,
  username: 'password grant: the account email',
  password: 'password grant',
  refresh_token: 'refresh_token grant',
  code: 'authorization_code grant: the code from the redirect',
  redirect_uri: 'authorization_code grant: as sent to the authorization endpoint',
  code_verifier: 'authorization_code grant: the PKCE verifier (RFC 7636)',
  scope: 'Space-separated scopes; at most those the client or the refreshed token holds',
  mfa_token: 'mfa-otp grant: the mfa_token of the mfa_required error',
  otp: 'mfa-otp grant: the six-digit code of the authenticator app, or a recovery code',
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
  mfa_token: optional.describe('The second step: the challenge the two-step form carries'),
  otp: optional.describe('The second step: a six-digit code of the authenticator app, or a recovery code'),
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

export const oauthErrorResponse = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  mfa_token: z
    .string()
    .optional()
    .describe(
      'With error=mfa_required: send it back with the code (grant urn:ticketorleaveit:params:oauth:grant-type:mfa-otp)',
    ),
});

export const jwksResponse = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

/** RFC 8414 authorization-server metadata: every member the metadata route answers with. */
export const metadataResponse = z.object({
  issuer: z.url(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  revocation_endpoint: z.url(),
  jwks_uri: z.url(),
  response_types_supported: z.array(z.literal('code')),
  response_modes_supported: z.array(z.literal('query')),
  grant_types_supported: z
    .array(z.string())
    .describe('authorization_code, refresh_token, password and the MFA OTP grant'),
  code_challenge_methods_supported: z.array(z.literal('S256')),
  authorization_response_iss_parameter_supported: z.boolean().describe('RFC 9207: redirects carry iss'),
  prompt_values_supported: z.array(z.string()).describe('create: the authorization page opens on sign-up'),
  token_endpoint_auth_methods_supported: z
    .array(z.literal('none'))
    .describe('Public clients: PKCE, no secret'),
  revocation_endpoint_auth_methods_supported: z.array(z.literal('none')),
  scopes_supported: z.array(z.string()),
  subject_types_supported: z.array(z.literal('public')),
  id_token_signing_alg_values_supported: z.array(z.literal('RS256')),
  service_documentation: z.url().describe('The API reference (this document, rendered)'),
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
      ip: z
        .string()
        .nullable()
        .describe('Client address of its last token (null: issued before addresses were kept)'),
      userAgent: z.string().nullable().describe('User agent of its last token request'),
    }),
  ),
  nextCursor: z.null(),
});

export const twoFactorStatus = z.object({
  enabled: z.boolean().describe('Whether every sign-in asks for a code of the authenticator app'),
  recoveryCodesLeft: z.number().int().describe('Unused recovery codes (0 when off)'),
});
export const twoFactorEnrolment = z.object({
  secret: z.string().describe('The TOTP secret (base32), for apps that take it typed in'),
  otpauthUri: z.string().describe('otpauth://totp/... URI with the secret, to show as a QR code'),
});
const otp = z.string().trim().min(6).max(32).describe('The six-digit code of the authenticator app');
const currentPassword = z
  .string()
  .min(1)
  .max(PASSWORD_MAX)
  .describe("The account's current password (re-authentication)");
export const twoFactorConfirm = z
  .object({ password: currentPassword, code: otp })
  .meta({ examples: [{ password: 'my current password', code: '123456' }] });
export const twoFactorRecoveryCodes = z.object({
  recoveryCodes: z
    .array(z.string())
    .describe('Ten single-use codes, shown this once; each signs in in place of a code'),
});
/** Turning two-step sign-in off, or replacing the recovery codes: the password and a current code, both. */
export const twoFactorReauthentication = z
  .object({
    password: currentPassword,
    code: otp.describe('A current code of the authenticator app, or an unused recovery code'),
  })
  .meta({ examples: [{ password: 'my current password', code: '123456' }] });
