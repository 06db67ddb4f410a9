// Wiring of the auth service's real dependencies, built once per container and shared by its handlers.
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { intEnv, once, optionalEnv, requireEnv } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { getLogger } from '../../layers/common/logger';
import { createRateLimiter, type RateLimitRule } from '../../layers/common/rate-limit';
import { readyRedis } from '../../layers/common/redis';
import { pgAuthStore } from './accounts.store';
import { SIGNING_ALG, signingKeys } from './keys';
import { type AccessTokenClaims, oauthServer } from './oauth';
import { decoyHash, hashPassword, verifyPassword } from './passwords';

export const ACCESS_TOKEN_TTL_SECONDS = 900;

export const issuer = once(() => ({ url: requireEnv('JWT_ISSUER'), audience: requireEnv('JWT_AUDIENCE') }));

/** "limit/windowSeconds", e.g. "10/60". */
function rule(name: string, env: string, fallback: string): RateLimitRule {
  const [limit, windowSeconds] = optionalEnv(env, fallback).split('/').map(Number);
  return { name, limit: limit ?? 10, windowSeconds: windowSeconds ?? 60 };
}

export const rateLimits = once(() => ({
  tokenPerIp: rule('token-ip', 'RATE_LIMIT_TOKEN_IP', '30/60'),
  tokenPerAccount: rule('token-account', 'RATE_LIMIT_TOKEN_ACCOUNT', '10/300'),
  registerPerIp: rule('register-ip', 'RATE_LIMIT_REGISTER_IP', '10/3600'),
}));

let warned = false;
export const rateLimiter = once(() =>
  createRateLimiter({
    redis: () => readyRedis(),
    prefix: optionalEnv('RATE_LIMIT_PREFIX', 'rl'),
    onDegraded: (error) => {
      if (warned) return;
      warned = true;
      getLogger('auth').warn('rate limiting per container: Redis is unavailable', { error: error as Error });
    },
  }),
);

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

export const server = once(() => {
  let built: ReturnType<typeof oauthServer> | undefined;
  return async () =>
    (built ??= oauthServer({
      store: pgAuthStore(await getPool('auth')),
      signAccessToken,
      hashPassword,
      verifyPassword,
      decoyHash,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: intEnv('REFRESH_TOKEN_TTL_DAYS', 30) * 24 * 3600,
    }));
});
