// Wiring of the auth service's real dependencies, built once per container and shared by its handlers.
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import type { AccountNoticeKind } from '../../events/contracts/auth';
import { readSecretString } from '../../layers/common/aws/secrets';
import { intEnv, once, optionalEnv } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { ENV } from '../../layers/common/env-names';
import { accountNotice, NOTICE_PAGE } from './account-notices';
import { pgAuthStore } from './accounts.store';
import { issuer, webRedirectUris } from './issuer';
import { SIGNING_ALG, signingKeys } from './keys';
import { type AccessTokenClaims, oauthServer } from './oauth';
import { weakPasswordReason } from './password-policy';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { type Recovery, recovery } from './recovery';
import { pgRecoveryStore } from './recovery.store';
import { type SecretBox, secretBox } from './totp-secrets';
import { type TwoFactor, twoFactor } from './two-factor';
import { pgTwoFactorStore } from './two-factor.store';

export const ACCESS_TOKEN_TTL_SECONDS = 900;
/** RFC 6749 §4.1.2 recommends at most ten minutes; the web app redeems its code at once. */
export const CODE_TTL_SECONDS = 60;

export const keys = once(() => {
  const pool = getPool('auth');
  let built: ReturnType<typeof signingKeys> | undefined;
  return async () => (built ??= signingKeys(await pool));
});

export async function signAccessToken(claims: AccessTokenClaims, ttlSeconds: number): Promise<string> {
  const { kid, key } = await (await keys()()).current();
  const { url, audience } = issuer();
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
    .setIssuer(url)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .setJti(randomUUID())
    .sign(key);
}

/** Reads the session of one of our own, still valid access tokens (for revocation); anything else is undefined. */
export async function sessionOfAccessToken(token: string): Promise<{ sid: string; sub: string } | undefined> {
  try {
    const jwks = createLocalJWKSet(await (await keys()()).jwks());
    const { payload } = await jwtVerify(token, jwks, {
      issuer: issuer().url,
      audience: issuer().audience,
      algorithms: [SIGNING_ALG],
    });
    return typeof payload.sid === 'string' && typeof payload.sub === 'string'
      ? { sid: payload.sid, sub: payload.sub }
      : undefined;
  } catch {
    return undefined;
  }
}

/** A page of the web app with a secret in its fragment, which browsers never send to a server or in a Referer. */
export function webLink(path: string, token: string): string {
  const origin = new URL(webRedirectUris()[0] ?? issuer().url).origin;
  return token ? `${origin}${path}#token=${token}` : `${origin}${path}`;
}

/** A security notice to the owner, linking to the web app page where the change shows. */
export const noticeOf = (
  account: { id: string; email: string; firstName: string },
  kind: AccountNoticeKind,
  correlationId: string,
) => accountNotice(account, kind, webLink(NOTICE_PAGE[kind], ''), correlationId);

export const recoveryService = once(() => {
  let built: Recovery | undefined;
  return async () =>
    (built ??= recovery({
      store: pgRecoveryStore(await getPool('auth')),
      hashPassword,
      weakPasswordReason,
      webLink,
      resetTtlSeconds: 30 * 60,
      verifyTtlSeconds: 7 * 24 * 3600,
    }));
});

/**
 * The key of the TOTP secrets, read at first use (only functions that check codes or enrol need it): locally
 * TOTP_ENCRYPTION_KEY (the runtime generates one per data folder), in AWS the Secrets Manager secret named by
 * TOTP_ENCRYPTION_SECRET_ARN (a `totpKey` bind).
 */
export const totpSecretBox = once(() => {
  let loading: Promise<SecretBox> | undefined;
  const load = async () => {
    const local = optionalEnv(ENV.totpEncryptionKey);
    const arn = optionalEnv(ENV.totpEncryptionSecretArn);
    if (local) return secretBox(local);
    if (arn) return secretBox(await readSecretString(arn));
    throw new Error(
      `Neither ${ENV.totpEncryptionKey} nor ${ENV.totpEncryptionSecretArn} is set: two-step sign-in cannot read its secrets`,
    );
  };
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
});

export const twoFactorService = once(() => {
  let built: TwoFactor | undefined;
  return async () => {
    if (built) return built;
    const pool = await getPool('auth');
    built = twoFactor({
      store: pgTwoFactorStore(pool, totpSecretBox()),
      findAccount: pgAuthStore(pool).findAccount,
      verifyPassword,
      notice: noticeOf,
    });
    return built;
  };
});

export const server = once(() => {
  let built: ReturnType<typeof oauthServer> | undefined;
  return async () =>
    (built ??= oauthServer({
      store: pgAuthStore(await getPool('auth')),
      signAccessToken,
      hashPassword,
      verifyPassword,
      decoyHash,
      weakPasswordReason,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: intEnv('REFRESH_TOKEN_TTL_DAYS', 30) * 24 * 3600,
      browserRefreshTokenTtlSeconds: intEnv('BROWSER_REFRESH_TOKEN_TTL_HOURS', 12) * 3600,
      codeTtlSeconds: CODE_TTL_SECONDS,
      refreshReuseGraceSeconds: intEnv('REFRESH_REUSE_GRACE_SECONDS', 10),
      configuredRedirectUris: { web: webRedirectUris() },
      twoFactor: await twoFactorService()(),
    }));
});
