// The API Gateway JWT authorizer, reproduced: a bearer token must carry a signature from the issuer's JWKS (RSA),
// the issuer, an audience (in `aud`, or else in `client_id`) we accept, and must not be expired or not yet valid.
// On success the claims reach the handler where API Gateway puts them: requestContext.authorizer.jwt.
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

export interface AuthorizerConfig {
  issuer: string;
  audiences: string[];
  jwksUrl: string;
}

export type AuthorizerResult =
  | { ok: true; claims: Record<string, string | number | boolean | string[]>; scopes: string[] }
  | { ok: false; reason: string };

export function jwtAuthorizer(config: AuthorizerConfig) {
  const keys = createRemoteJWKSet(new URL(config.jwksUrl), {
    cooldownDuration: 5_000,
    timeoutDuration: 2_000,
  });
  return async (authorization: string | undefined): Promise<AuthorizerResult> => {
    const match = authorization ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim()) : null;
    if (!match?.[1]) return { ok: false, reason: 'missing bearer token' };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], keys, {
        issuer: config.issuer,
        // API Gateway's JWT authorizer accepts RSA signatures only.
        algorithms: ['RS256', 'RS384', 'RS512'],
        clockTolerance: 0,
      }));
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    if (payload.exp === undefined) return { ok: false, reason: 'token has no exp' };
    const audiences =
      payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    const audienceOk =
      audiences.length > 0
        ? audiences.some((audience) => config.audiences.includes(audience))
        : typeof payload.client_id === 'string' && config.audiences.includes(payload.client_id);
    if (!audienceOk) return { ok: false, reason: 'token audience is not accepted' };
    const claims: Record<string, string | number | boolean | string[]> = {};
    for (const [key, value] of Object.entries(payload)) {
      // API Gateway hands claims over flattened: arrays as "[a b]", objects as JSON text.
      claims[key] =
        typeof value === 'object' && value !== null
          ? Array.isArray(value)
            ? `[${value.join(' ')}]`
            : JSON.stringify(value)
          : (value as string | number | boolean);
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { ok: true, claims, scopes };
  };
}
