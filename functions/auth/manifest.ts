// Auth service: sign-up, the OAuth 2.0 authorization server (authorization and token endpoints, revocation, JWKS,
// metadata) and password change.
import { AUTH_EVENTS_TOPIC } from '../../events/contracts/auth';
import { defineService } from '../../layers/common/manifest';
import { deleteAccountRequest } from './account-deletion.schemas';
import {
  authorizeForm,
  authorizeQuery,
  changePasswordRequest,
  jwksResponse,
  metadataResponse,
  oauthErrorResponse,
  passwordResetConfirm,
  passwordResetRequest,
  registerRequest,
  registerResponse,
  revokeForm,
  signInIdParams,
  signInsPage,
  signupForm,
  tokenForm,
  tokenResponse,
  twoFactorConfirm,
  twoFactorEnrolment,
  twoFactorReauthentication,
  twoFactorRecoveryCodes,
  twoFactorStatus,
  verifyEmailRequest,
} from './schemas';

const page = { contentType: 'text/html' } as const;
const form = { contentType: 'application/x-www-form-urlencoded', maxBodyBytes: 16 * 1024 } as const;
const codeRedirect = {
  description:
    'To the redirect URI with code and state, or with error= (RFC 6749 §4.1.2.1) and state; always with iss (RFC 9207)',
};

const metadata = {
  handler: 'metadata.ts',
  auth: false,
  responses: { 200: { description: 'Authorization-server metadata', schema: metadataResponse } },
  binds: {},
} as const;

export const auth = defineService({
  service: 'auth',
  description:
    'Sign-up, the OAuth 2.0 authorization and token endpoints, revocation, JWKS and authorization-server metadata.',
  database: true,
  topics: [AUTH_EVENTS_TOPIC],
  routes: {
    register: {
      method: 'POST',
      path: '/v1/auth/register',
      handler: 'register.ts',
      summary: 'Create an account (its address to verify by email)',
      auth: false,
      request: {
        body: registerRequest,
        example: {
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: 'ada@example.com',
          password: 'correct horse battery staple',
        },
      },
      responses: {
        201: {
          description:
            'Account created and a verification link emailed; a taken address gets the same answer (its owner is emailed instead and the id signs nothing in)',
          schema: registerResponse,
        },
        400: { description: 'Invalid fields, or a password too easy to guess (the problem says why)' },
        429: { description: 'Too many sign-ups from this address' },
      },
      binds: { database: true, redis: true, publishes: [AUTH_EVENTS_TOPIC] },
    },
    authorizePage: {
      method: 'GET',
      path: '/oauth/authorize',
      handler: 'authorize-page.ts',
      summary:
        'OAuth 2.0 authorization endpoint (code + PKCE S256): the sign-in page, or sign-up with prompt=create',
      auth: false,
      request: { query: authorizeQuery },
      responses: {
        200: { description: 'The sign-in (or sign-up) page', ...page },
        303: codeRedirect,
        400: {
          description: 'Unknown client or unregistered redirect URI: an error page, no redirect',
          ...page,
        },
      },
      binds: { database: true },
    },
    authorize: {
      method: 'POST',
      path: '/oauth/authorize',
      handler: 'authorize.ts',
      summary: 'Signs in from the authorization page and redirects with a single-use code (60 s)',
      auth: false,
      request: {
        body: authorizeForm,
        ...form,
        example: {
          response_type: 'code',
          client_id: 'web',
          redirect_uri: 'https://ticketorleaveit.example/callback',
          state: 'af0ifjsldkj',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
          scope: 'api',
          email: 'ada@example.com',
          password: 'correct horse battery staple',
          csrf: 'the csrf value of the page',
        },
      },
      responses: {
        303: codeRedirect,
        400: {
          description: 'Wrong email or password, or a bad client: the page again, with the error',
          ...page,
        },
        403: { description: 'Missing or stale CSRF token: the form again', ...page },
        429: { description: 'Too many attempts (the token endpoint limits): the form again', ...page },
      },
      binds: { totpKey: true, database: true, redis: true },
    },
    signup: {
      method: 'POST',
      path: '/oauth/signup',
      handler: 'authorize-signup.ts',
      summary:
        'Creates an account from the authorization page; answers "check your email" with a sign-in form, the same for a taken address (its owner is emailed)',
      auth: false,
      request: {
        body: signupForm,
        ...form,
        example: {
          response_type: 'code',
          client_id: 'web',
          redirect_uri: 'https://ticketorleaveit.example/callback',
          state: 'af0ifjsldkj',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
          scope: 'api',
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: 'ada@example.com',
          password: 'correct horse battery staple',
          csrf: 'the csrf value of the page',
        },
      },
      responses: {
        200: {
          description: 'Check your email, then sign in (whether or not the address was taken)',
          ...page,
        },
        303: { description: 'A bad request that can go back to the client: error= (RFC 6749 §4.1.2.1)' },
        400: { description: 'Invalid fields or a bad client: the page again, with the errors', ...page },
        403: { description: 'Missing or stale CSRF token: the form again', ...page },
        429: { description: 'Too many sign-ups from this address', ...page },
      },
      binds: { database: true, redis: true, publishes: [AUTH_EVENTS_TOPIC] },
    },
    token: {
      method: 'POST',
      path: '/v1/oauth/token',
      handler: 'token.ts',
      summary: 'OAuth 2.0 token endpoint (authorization_code with PKCE, password and refresh_token grants)',
      auth: false,
      request: {
        body: tokenForm,
        contentType: 'application/x-www-form-urlencoded',
        maxBodyBytes: 8 * 1024,
        example: {
          grant_type: 'authorization_code',
          client_id: 'web',
          code: 'SplxlOBeZQQYbYS6WxSbIA',
          redirect_uri: 'https://ticketorleaveit.example/callback',
          code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        },
      },
      responses: {
        200: { description: 'Tokens', schema: tokenResponse },
        400: { description: 'RFC 6749 error', schema: oauthErrorResponse },
        401: { description: 'Unknown client', schema: oauthErrorResponse },
        429: { description: 'Too many attempts' },
      },
      binds: { totpKey: true, database: true, redis: true },
    },
    revoke: {
      method: 'POST',
      path: '/v1/oauth/revoke',
      handler: 'revoke.ts',
      summary: 'OAuth 2.0 token revocation (RFC 7009)',
      auth: false,
      request: {
        body: revokeForm,
        contentType: 'application/x-www-form-urlencoded',
        maxBodyBytes: 8 * 1024,
        example: { token: 'the refresh token', token_type_hint: 'refresh_token', client_id: 'web' },
      },
      responses: {
        200: { description: 'Revoked, or nothing to revoke' },
        400: { description: 'RFC 6749 error: no token, or a malformed form', schema: oauthErrorResponse },
        401: { description: 'Unknown client', schema: oauthErrorResponse },
      },
      binds: { database: true },
    },
    changePassword: {
      method: 'POST',
      path: '/v1/auth/password',
      handler: 'change-password.ts',
      summary: "Change one's password; signs out every other session",
      auth: true,
      request: {
        body: changePasswordRequest,
        example: {
          currentPassword: 'correct horse battery staple',
          newPassword: 'a longer horse, a better staple',
        },
      },
      responses: {
        204: { description: 'Password changed' },
        400: { description: 'Invalid fields, or a new password too easy to guess (the problem says why)' },
        403: { description: 'Current password is wrong' },
        429: { description: 'Too many attempts on this account' },
      },
      binds: { database: true, redis: true },
    },
    requestPasswordReset: {
      method: 'POST',
      path: '/v1/auth/password-reset',
      handler: 'request-password-reset.ts',
      summary:
        'Emails a password-reset link (single use, valid 30 minutes) if the address has an account; always 202',
      auth: false,
      request: { body: passwordResetRequest },
      responses: {
        202: {
          description:
            'Accepted, whether or not the address is registered; beyond 3 requests an hour per address no more emails are sent',
        },
        429: { description: 'Too many requests from this client address' },
      },
      binds: { database: true, redis: true, publishes: [AUTH_EVENTS_TOPIC] },
    },
    resetPassword: {
      method: 'POST',
      path: '/v1/auth/password-reset/confirm',
      handler: 'reset-password.ts',
      summary: "Sets a new password with a reset link's token, once; revokes every sign-in of the account",
      auth: false,
      request: { body: passwordResetConfirm },
      responses: {
        204: { description: 'Password changed; every refresh token of the account is revoked' },
        400: {
          description:
            'The token is used, expired or unknown (type /problems/invalid-token), or the new password is invalid or too easy to guess',
        },
      },
      binds: { database: true },
    },
    verifyEmail: {
      method: 'POST',
      path: '/v1/auth/verify-email',
      handler: 'verify-email.ts',
      summary:
        "Proves the account's address with the verification email's token, once; the next access token says email_verified",
      auth: false,
      request: { body: verifyEmailRequest },
      responses: {
        204: { description: 'The address is verified' },
        400: { description: 'The token is used, expired or unknown (type /problems/invalid-token)' },
      },
      binds: { database: true },
    },
    resendVerification: {
      method: 'POST',
      path: '/v1/auth/verify-email/resend',
      handler: 'resend-verification.ts',
      summary: "Emails a new verification link to the caller's address, unless it is verified already",
      auth: true,
      responses: {
        202: { description: 'Accepted; beyond 3 an hour per account no more emails are sent' },
        429: { description: 'Too many requests from this client address' },
      },
      binds: { database: true, redis: true, publishes: [AUTH_EVENTS_TOPIC] },
    },
    mySignIns: {
      method: 'GET',
      path: '/v1/auth/sessions',
      handler: 'my-sign-ins.ts',
      summary:
        'My sign-ins that can still be refreshed (client, created, last used, address, user agent), most recent first',
      auth: true,
      responses: { 200: { description: 'The sign-ins (at most 100)', schema: signInsPage } },
      binds: { database: true },
    },
    revokeSignIn: {
      method: 'DELETE',
      path: '/v1/auth/sessions/{id}',
      handler: 'revoke-sign-in.ts',
      summary: 'Ends one of my sign-ins: its refresh tokens stop working at once',
      auth: true,
      request: { params: signInIdParams },
      responses: { 204: { description: 'Ended, or no sign-in of mine has this id' } },
      binds: { database: true },
    },
    revokeAllSignIns: {
      method: 'DELETE',
      path: '/v1/auth/sessions',
      handler: 'revoke-all-sign-ins.ts',
      summary: 'Ends every sign-in of mine, this one too',
      auth: true,
      responses: { 204: { description: 'Every refresh token of the account is revoked' } },
      binds: { database: true },
    },
    deleteAccount: {
      method: 'DELETE',
      path: '/v1/me',
      handler: 'delete-account.ts',
      summary:
        'Deletes my account (GDPR art. 17) after my password (and a code, with two-step sign-in on): every sign-in ends, my profile and picture are deleted, my orders anonymised; I am emailed a notice',
      auth: true,
      request: { body: deleteAccountRequest, maxBodyBytes: 1024 },
      responses: {
        204: { description: 'Deleted (or deleted already); the other services forget me within moments' },
        403: {
          description:
            'The password is wrong, or two-step sign-in is on and the code is missing (type /problems/two-factor-code-required) or wrong',
        },
        409: {
          description:
            'I organize published events that have not ended (listed in `events`): cancel them first (type /problems/organizer-has-upcoming-events)',
        },
        429: { description: 'Too many attempts on this account' },
        503: { description: 'My events could not be checked; try again' },
      },
      binds: {
        totpKey: true,
        database: true,
        redis: true,
        publishes: [AUTH_EVENTS_TOPIC],
        invokes: ['events.organizerCommitments'],
      },
    },
    twoFactorStatus: {
      method: 'GET',
      path: '/v1/auth/two-factor',
      handler: 'two-factor-status.ts',
      summary: 'Whether two-step sign-in (TOTP) is on for me, and how many recovery codes are left',
      auth: true,
      responses: { 200: { description: 'The state', schema: twoFactorStatus } },
      binds: { database: true },
    },
    twoFactorEnrol: {
      method: 'POST',
      path: '/v1/auth/two-factor',
      handler: 'two-factor-enrol.ts',
      summary:
        'Starts turning two-step sign-in on: a new TOTP secret (RFC 6238) and its otpauth:// URI; a first code confirms it',
      auth: true,
      responses: {
        201: { description: 'The secret to add to an authenticator app', schema: twoFactorEnrolment },
        409: { description: 'Two-step sign-in is on already' },
      },
      binds: { totpKey: true, database: true },
    },
    twoFactorConfirm: {
      method: 'POST',
      path: '/v1/auth/two-factor/confirm',
      handler: 'two-factor-confirm.ts',
      summary:
        "Turns two-step sign-in on with my password and the app's first code; answers ten single-use recovery codes, once; my other sign-ins end; I am emailed a notice",
      auth: true,
      request: { body: twoFactorConfirm },
      responses: {
        200: { description: 'On; the recovery codes', schema: twoFactorRecoveryCodes },
        400: { description: 'The code is wrong or expired' },
        403: { description: 'The password is wrong' },
        409: { description: 'Nothing to confirm (no enrolment started), or on already' },
        429: { description: 'Too many wrong codes' },
      },
      binds: { totpKey: true, database: true, redis: true, publishes: [AUTH_EVENTS_TOPIC] },
    },
    twoFactorDisable: {
      method: 'POST',
      path: '/v1/auth/two-factor/disable',
      handler: 'two-factor-disable.ts',
      summary:
        'Turns two-step sign-in off, proven by my password and a current code (or a recovery code); I am emailed a notice',
      auth: true,
      request: { body: twoFactorReauthentication },
      responses: {
        204: { description: 'Off: sign-in asks for the password only' },
        403: { description: 'The password or code is wrong' },
        409: { description: 'Two-step sign-in is off already' },
        429: { description: 'Too many wrong guesses' },
      },
      binds: { totpKey: true, database: true, redis: true, publishes: [AUTH_EVENTS_TOPIC] },
    },
    twoFactorRecoveryCodes: {
      method: 'POST',
      path: '/v1/auth/two-factor/recovery-codes',
      handler: 'two-factor-recovery-codes.ts',
      summary:
        'Replaces my recovery codes with ten new ones (the old ones stop working), proven by my password and a current code; I am emailed a notice',
      auth: true,
      request: { body: twoFactorReauthentication },
      responses: {
        200: { description: 'The new recovery codes, shown this once', schema: twoFactorRecoveryCodes },
        403: { description: 'The password or code is wrong' },
        409: { description: 'Two-step sign-in is off' },
        429: { description: 'Too many wrong guesses' },
      },
      binds: { totpKey: true, database: true, redis: true, publishes: [AUTH_EVENTS_TOPIC] },
    },
    jwks: {
      method: 'GET',
      path: '/.well-known/jwks.json',
      handler: 'jwks.ts',
      summary: 'Public keys that verify access tokens (current and previous)',
      auth: false,
      responses: { 200: { description: 'JSON Web Key Set', schema: jwksResponse } },
      binds: { database: true },
    },
    metadata: {
      ...metadata,
      method: 'GET',
      path: '/.well-known/oauth-authorization-server',
      summary: 'OAuth 2.0 authorization-server metadata (RFC 8414)',
    },
    // API Gateway's JWT authorizer discovers the JWKS through the OpenID path, so the same metadata is served there.
    openidConfiguration: {
      ...metadata,
      method: 'GET',
      path: '/.well-known/openid-configuration',
      summary: 'The same metadata at the OpenID discovery path (used by the API Gateway JWT authorizer)',
    },
  },
  schedules: {
    rotateKeys: {
      name: 'auth-rotate-signing-keys',
      handler: 'rotate-keys.schedule.ts',
      summary: 'Rotates the token signing key when the current one is older than its maximum age',
      expression: 'rate(1 day)',
      localEverySeconds: 3600,
      binds: { database: true },
    },
    relayOutbox: {
      name: 'auth-relay-outbox',
      handler: 'relay-outbox.schedule.ts',
      summary: 'Publishes outbox messages a request could not publish itself',
      expression: 'rate(1 minute)',
      localEverySeconds: 5,
      binds: { database: true, publishes: [AUTH_EVENTS_TOPIC] },
    },
  },
});
