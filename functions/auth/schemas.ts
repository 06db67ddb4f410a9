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
