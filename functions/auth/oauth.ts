// The OAuth 2.0 authorization server's rules: sign-up, the authorization_code (with PKCE, RFC 7636), password and
// refresh_token grants (RFC 6749) with refresh-token rotation and reuse detection, revocation (RFC 7009) and password
// change. No SQL, no AWS here.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { AuthMessageTypes, type UserRegisteredV1 } from '../../events/contracts/auth';
import { ForbiddenError, OAuthError, ValidationError } from '../../layers/common/errors';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { SignInGuard } from './sign-in-guard';
import { hashToken } from './token-hash';
import { MFA_OTP_GRANT, MfaRequiredError, type TwoFactor } from './two-factor';

/** Who is asking for tokens: the address and user agent of the request, and the guard that throttles guesses. */
export interface SignInContext {
  guard: SignInGuard;
  ip: string;
  userAgent?: string;
}

export interface Account {
  id: string;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  /** Whether the owner proved the address (a verification link, or a password reset through it). */
  emailVerified?: boolean;
  /** Whether every sign-in takes a code of the authenticator app too (two-factor.ts). */
  twoFactor?: boolean;
}

export interface Client {
  id: string;
  grantTypes: string[];
  scopes: string[];
  /** Where the authorization endpoint may send this client's codes (exact match). */
  redirectUris: string[];
}

export interface RefreshRecord {
  id: string;
  familyId: string;
  accountId: string;
  clientId: string;
  tokenHash: Buffer;
  scope: string;
  expiresAt: Date;
  /** Set for browser sign-ins: every rotation gives the next token this lifetime again (an idle timeout). */
  lifetimeSeconds?: number;
  /** Where the request that got this token came from, shown in "my sign-ins". */
  ip?: string;
  userAgent?: string;
}

/** A code of the authorization endpoint, bound to what the token request must repeat. */
export interface CodeRecord {
  codeHash: Buffer;
  clientId: string;
  accountId: string;
  redirectUri: string;
  codeChallenge: string;
  scope: string;
  expiresAt: Date;
}

/** What the token endpoint decides about a code it has locked: refuse it, or the refresh token it issues. */
export type CodeVerdict = { refused: string } | { refresh: Omit<RefreshRecord, 'clientId'> };

export type RedeemResult =
  | { status: 'issued'; code: CodeRecord }
  | { status: 'refused'; reason: string }
  | { status: 'reused' | 'unknown' };

export type RotateResult =
  | { status: 'rotated' }
  /** The token was spent moments ago and its successor is still unused: the successor, sealed (see sealSuccessor). */
  | { status: 'replayed'; sealed: Buffer }
  | { status: 'reused'; familyId: string }
  | { status: 'unknown' | 'revoked' | 'expired' };

export interface AuthStore {
  findAccountByEmail(email: string): Promise<Account | undefined>;
  findAccount(id: string): Promise<Account | undefined>;
  findClient(id: string): Promise<Client | undefined>;
  createAccount(account: Account, message: Envelope): Promise<'created' | 'duplicate'>;
  insertRefreshToken(token: RefreshRecord): Promise<void>;
  /**
   * Marks the presented token spent and stores its replacement with the sealed answer that carries it, atomically. A
   * spent token presented again within graceSeconds, while its successor is unused, is answered with that sealed
   * answer; otherwise a spent token revokes its family.
   */
  rotateRefreshToken(
    tokenHash: Buffer,
    clientId: string,
    graceSeconds: number,
    next: (from: {
      familyId: string;
      accountId: string;
      scope: string;
      lifetimeSeconds?: number;
    }) => Promise<{ record: Omit<RefreshRecord, 'clientId'>; sealed: Buffer }>,
  ): Promise<RotateResult>;
  insertAuthorizationCode(code: CodeRecord): Promise<void>;
  /**
   * Spends a code, whatever the verdict, and stores the refresh token the verdict issues in the same transaction. A
   * code presented again revokes the sign-in it was exchanged for.
   */
  redeemAuthorizationCode(codeHash: Buffer, decide: (code: CodeRecord) => CodeVerdict): Promise<RedeemResult>;
  familyOf(tokenHash: Buffer, clientId: string): Promise<string | undefined>;
  revokeFamily(familyId: string, accountId?: string): Promise<void>;
  changePassword(accountId: string, passwordHash: string, keepFamily?: string): Promise<void>;
}

export interface AccessTokenClaims {
  sub: string;
  client_id: string;
  scope: string;
  sid: string;
  email: string;
  given_name: string;
  family_name: string;
  /** Read by services that require a proven address (publishing events). */
  email_verified: boolean;
  /** RFC 8176 methods: pwd, plus otp and mfa when the account signs in with a second step. */
  amr: string[];
}

export interface OAuthDeps {
  store: AuthStore;
  signAccessToken: (claims: AccessTokenClaims, ttlSeconds: number) => Promise<string>;
  hashPassword: (password: string) => Promise<string>;
  verifyPassword: (password: string, hash: string) => Promise<boolean>;
  decoyHash: () => Promise<string>;
  /** Why a new password is too easy to guess (given the user's own name and email), or undefined. */
  weakPasswordReason?: (password: string, userInputs: string[]) => string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Idle lifetime of refresh tokens issued through the authorization endpoint (browser apps). */
  browserRefreshTokenTtlSeconds: number;
  /** Lifetime of an authorization code. */
  codeTtlSeconds: number;
  /** How long after a rotation the spent refresh token still gets the same answer (a client retrying a lost one). */
  refreshReuseGraceSeconds?: number;
  /** Redirect URIs that depend on where the platform runs (the web app's), by client id, added to the registered. */
  configuredRedirectUris?: Record<string, string[]>;
  /** Two-step sign-in; without it the password grant asks for no code. */
  twoFactor?: TwoFactor;
  now?: () => Date;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/**
 * The answer of a rotation, encrypted (AES-256-GCM) under a key derived from the spent refresh token. The database
 * keeps only that token's hash, so a copy of the database cannot open it; only the client presenting the token can.
 */
const sealKey = (token: string) =>
  Buffer.from(hkdfSync('sha256', token, 'refresh-successor', 'token-response', 32));
export function sealSuccessor(token: string, response: TokenResponse): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(token), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(response), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}
export function openSuccessor(token: string, sealed: Buffer): TokenResponse | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(token), sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as TokenResponse;
  } catch {
    return undefined;
  }
}
const newRefreshToken = () => randomBytes(32).toString('base64url');
/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const GRANTS = ['authorization_code', 'password', 'refresh_token', MFA_OTP_GRANT];

export function oauthServer(deps: OAuthDeps) {
  const now = deps.now ?? (() => new Date());

  const requireParam = (form: Record<string, string>, name: string) => {
    const value = form[name];
    if (!value) throw new OAuthError('invalid_request', `The ${name} parameter is required.`);
    if (value.length > 4096) throw new OAuthError('invalid_request', `The ${name} parameter is too long.`);
    return value;
  };

  const findClient = async (id: string): Promise<Client | undefined> => {
    const client = id.length <= 100 ? await deps.store.findClient(id) : undefined;
    const configured = deps.configuredRedirectUris?.[id] ?? [];
    return client && { ...client, redirectUris: [...new Set([...client.redirectUris, ...configured])] };
  };

  const authenticateClient = async (form: Record<string, string>, grantType?: string) => {
    const clientId = form.client_id;
    if (!clientId) throw new OAuthError('invalid_client', 'Identify the client with client_id.');
    const client = await findClient(clientId);
    if (!client) throw new OAuthError('invalid_client', 'Unknown client.');
    if (grantType && !client.grantTypes.includes(grantType)) {
      throw new OAuthError('unauthorized_client', `This client may not use the ${grantType} grant.`);
    }
    return client;
  };

  const grantedScope = (client: Client, requested: string | undefined, ceiling = client.scopes) => {
    if (!requested) return ceiling.join(' ');
    const scopes = [...new Set(requested.split(' ').filter(Boolean))];
    const unknown = scopes.filter((scope) => !ceiling.includes(scope));
    if (unknown.length > 0)
      throw new OAuthError('invalid_scope', `Scope not available: ${unknown.join(' ')}.`);
    return scopes.join(' ');
  };

  const refreshRecord = (
    familyId: string,
    accountId: string,
    scope: string,
    lifetimeSeconds?: number,
    from?: SignInContext,
  ) => {
    const token = newRefreshToken();
    return {
      token,
      record: {
        id: randomUUID(),
        familyId,
        accountId,
        tokenHash: hashToken(token),
        scope,
        expiresAt: new Date(now().getTime() + (lifetimeSeconds ?? deps.refreshTokenTtlSeconds) * 1000),
        lifetimeSeconds,
        ip: from?.ip,
        userAgent: from?.userAgent?.slice(0, 512),
      },
    };
  };

  /** Refuses a new password that is too easy to guess, naming the field that holds it. */
  const checkStrength = (password: string, field: string, userInputs: string[]) => {
    const reason = deps.weakPasswordReason?.(password, userInputs);
    if (reason) throw new ValidationError([{ in: 'body', field, message: reason }], reason);
  };

  /** The account these credentials sign in, or undefined; the same work whether or not the email is registered. */
  const authenticate = async (email: string, password: string) => {
    const account = email.length <= 254 ? await deps.store.findAccountByEmail(email) : undefined;
    const valid = await deps.verifyPassword(password, account?.passwordHash ?? (await deps.decoyHash()));
    return account && valid ? account : undefined;
  };

  const redeemCode = async (client: Client, form: Record<string, string>, from?: SignInContext) => {
    const code = requireParam(form, 'code');
    const redirectUri = requireParam(form, 'redirect_uri');
    const verifier = requireParam(form, 'code_verifier');
    if (!CODE_VERIFIER.test(verifier)) {
      throw new OAuthError(
        'invalid_request',
        'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~.',
      );
    }
    let issued: { token: string; familyId: string } | undefined;
    const result = await deps.store.redeemAuthorizationCode(hashToken(code), (row) => {
      if (row.clientId !== client.id) return { refused: 'The code was issued to another client.' };
      if (row.expiresAt.getTime() <= now().getTime()) return { refused: 'The code has expired.' };
      if (row.redirectUri !== redirectUri) {
        return { refused: 'redirect_uri differs from the one of the authorization request.' };
      }
      const challenge = Buffer.from(row.codeChallenge);
      const computed = Buffer.from(s256(verifier));
      if (challenge.length !== computed.length || !timingSafeEqual(challenge, computed)) {
        return { refused: 'code_verifier does not match the code_challenge.' };
      }
      const { token, record } = refreshRecord(
        randomUUID(),
        row.accountId,
        row.scope,
        deps.browserRefreshTokenTtlSeconds,
        from,
      );
      issued = { token, familyId: record.familyId };
      return { refresh: record };
    });
    if (result.status !== 'issued' || !issued) {
      const why =
        result.status === 'refused'
          ? result.reason
          : result.status === 'reused'
            ? 'The code was already used; the tokens issued for it are now revoked.'
            : 'Unknown code.';
      throw new OAuthError('invalid_grant', why);
    }
    const account = await deps.store.findAccount(result.code.accountId);
    if (!account) throw new OAuthError('invalid_grant', 'The account no longer exists.');
    return { account, scope: result.code.scope, ...issued };
  };

  const tokens = async (
    account: Account,
    clientId: string,
    scope: string,
    familyId: string,
    refreshToken: string,
  ) => ({
    access_token: await deps.signAccessToken(
      {
        sub: account.id,
        client_id: clientId,
        scope,
        sid: familyId,
        email: account.email,
        given_name: account.firstName,
        family_name: account.lastName,
        email_verified: account.emailVerified ?? false,
        amr: account.twoFactor ? ['pwd', 'otp', 'mfa'] : ['pwd'],
      },
      deps.accessTokenTtlSeconds,
    ),
    token_type: 'Bearer' as const,
    expires_in: deps.accessTokenTtlSeconds,
    refresh_token: refreshToken,
    scope,
  });

  /** A new sign-in of the password grant (or its second step): its refresh token stored, the pair answered. */
  const passwordSignIn = async (account: Account, client: Client, scope: string, from?: SignInContext) => {
    const { token, record } = refreshRecord(randomUUID(), account.id, scope, undefined, from);
    await deps.store.insertRefreshToken({ ...record, clientId: client.id });
    return tokens(account, client.id, scope, record.familyId, token);
  };

  return {
    async register(
      input: { firstName: string; lastName: string; email: string; password: string },
      correlationId: string,
    ): Promise<{ status: 'created'; account: Account } | { status: 'taken'; id: string }> {
      checkStrength(input.password, 'password', [input.email, input.firstName, input.lastName]);
      const account: Account = {
        id: randomUUID(),
        email: input.email,
        passwordHash: await deps.hashPassword(input.password),
        firstName: input.firstName,
        lastName: input.lastName,
      };
      const { type, version } = AuthMessageTypes.UserRegistered;
      const data: UserRegisteredV1 = {
        userId: account.id,
        email: account.email.toLowerCase(),
        firstName: account.firstName,
        lastName: account.lastName,
      };
      const outcome = await deps.store.createAccount(
        account,
        envelope('auth', type, version, data, correlationId),
      );
      // The id of an account that was not created: the caller may answer a taken address as it answers a new one.
      if (outcome === 'duplicate') return { status: 'taken', id: account.id };
      return { status: 'created', account };
    },

    /** The token endpoint: dispatches on grant_type. Password guesses go through the guard, when given. */
    async token(form: Record<string, string>, signIn?: SignInContext): Promise<TokenResponse> {
      const grantType = requireParam(form, 'grant_type');
      if (!GRANTS.includes(grantType)) {
        throw new OAuthError('unsupported_grant_type', `Supported grants: ${GRANTS.join(', ')}.`);
      }
      const client = await authenticateClient(form, grantType);

      if (grantType === 'authorization_code') {
        const { account, scope, token, familyId } = await redeemCode(client, form, signIn);
        return tokens(account, client.id, scope, familyId, token);
      }

      if (grantType === 'password') {
        const username = requireParam(form, 'username').trim();
        const password = requireParam(form, 'password');
        const account = signIn
          ? await signIn.guard.attempt(username, signIn.ip, () => authenticate(username, password))
          : await authenticate(username, password);
        if (!account) throw new OAuthError('invalid_grant', 'The email or password is wrong.');
        const scope = grantedScope(client, form.scope);
        if (deps.twoFactor && account.twoFactor)
          throw new MfaRequiredError(await deps.twoFactor.challenge(account.id, client.id, scope));
        return passwordSignIn(account, client, scope, signIn);
      }

      if (grantType === MFA_OTP_GRANT) {
        const mfaToken = requireParam(form, 'mfa_token');
        const otp = requireParam(form, 'otp');
        if (!deps.twoFactor || !signIn)
          throw new OAuthError('unsupported_grant_type', 'Two-step sign-in is off.');
        const done = await deps.twoFactor.complete(mfaToken, client.id, otp, signIn);
        if (!done) throw new OAuthError('invalid_grant', 'The code is wrong or was used already.');
        const account = await deps.store.findAccount(done.accountId);
        if (!account) throw new OAuthError('invalid_grant', 'The account no longer exists.');
        return passwordSignIn(account, client, done.scope, signIn);
      }

      const presented = requireParam(form, 'refresh_token');
      let issued: TokenResponse | undefined;
      const grace = deps.refreshReuseGraceSeconds ?? 10;
      const result = await deps.store.rotateRefreshToken(
        hashToken(presented),
        client.id,
        grace,
        async (from) => {
          // Thrown inside the rotation's transaction, so a bad scope or a gone account spends nothing.
          const scope = grantedScope(client, form.scope, from.scope.split(' '));
          const account = await deps.store.findAccount(from.accountId);
          if (!account) throw new OAuthError('invalid_grant', 'The account no longer exists.');
          const { token, record } = refreshRecord(
            from.familyId,
            from.accountId,
            scope,
            from.lifetimeSeconds,
            signIn,
          );
          issued = await tokens(account, client.id, scope, from.familyId, token);
          return { record, sealed: sealSuccessor(presented, issued) };
        },
      );
      if (result.status === 'rotated' && issued) return issued;
      // A retry of a rotation whose answer was lost: the same pair again, not a revoked sign-in.
      const replayed = result.status === 'replayed' ? openSuccessor(presented, result.sealed) : undefined;
      if (replayed) return replayed;
      const why =
        result.status === 'reused'
          ? 'was already used; every token of its sign-in is now revoked'
          : `is ${result.status}`;
      throw new OAuthError('invalid_grant', `The refresh token ${why}.`);
    },

    /**
     * RFC 7009: revokes a refresh token's whole sign-in; unknown tokens are not an error. The hint is only a hint
     * (§2.1): a token not found as the hinted type is looked up as the other, so a wrong hint still revokes.
     */
    async revoke(
      form: Record<string, string>,
      readSessionOfAccessToken: (token: string) => Promise<{ sid: string; sub: string } | undefined>,
    ) {
      await authenticateClient(form);
      const token = requireParam(form, 'token');
      const family = await deps.store.familyOf(hashToken(token), form.client_id ?? '');
      if (family) return deps.store.revokeFamily(family);
      // An access token cannot be recalled before it expires (at most 15 minutes), but its sign-in can: no refresh.
      const session = await readSessionOfAccessToken(token);
      if (session) await deps.store.revokeFamily(session.sid, session.sub);
    },

    findClient,
    authenticate,
    grantedScope,

    /** Issues the single-use code of an authorization request that has been checked and signed in. */
    async issueCode(
      accountId: string,
      request: { clientId: string; redirectUri: string; codeChallenge: string; scope: string },
    ): Promise<string> {
      const code = randomBytes(32).toString('base64url');
      await deps.store.insertAuthorizationCode({
        ...request,
        codeHash: hashToken(code),
        accountId,
        expiresAt: new Date(now().getTime() + deps.codeTtlSeconds * 1000),
      });
      return code;
    },

    async changePassword(caller: { userId: string; sessionId?: string }, current: string, next: string) {
      const account = await deps.store.findAccount(caller.userId);
      if (!account || !(await deps.verifyPassword(current, account.passwordHash))) {
        throw new ForbiddenError('The current password is wrong.');
      }
      checkStrength(next, 'newPassword', [account.email, account.firstName, account.lastName]);
      await deps.store.changePassword(account.id, await deps.hashPassword(next), caller.sessionId);
    },
  };
}

export type OAuthServer = ReturnType<typeof oauthServer>;
