// The API Gateway JWT authorizer, reproduced: a bearer token must carry a signature from the issuer's JWKS (RSA),
// the issuer, an audience (in `aud`, or else in `client_id`) we accept, and must not be expired or not yet valid.
// On success the claims reach the handler where API Gateway puts them: requestContext.authorizer.jwt.
//
// jose fetches and caches the JWKS; the signature and the registered claims are checked by jsonwebtoken on a Node
// KeyObject. Every API request of the local runtime passes here, on the one thread that also runs the functions:
// node:crypto verifies an RS256 signature with far less CPU than WebCrypto (jose's jwtVerify), so a flash sale's
// requests do not queue behind the authorizer.
import { KeyObject } from 'node:crypto';
import { type CryptoKey, createRemoteJWKSet, decodeProtectedHeader } from 'jose';
import jwt from 'jsonwebtoken';

/** API Gateway's JWT authorizer accepts RSA signatures only. */
const ALGORITHMS: jwt.Algorithm[] = ['RS256', 'RS384', 'RS512'];

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
  // jose hands back the same CryptoKey for a key until the JWKS changes; its KeyObject is made once.
  const keyObjects = new WeakMap<CryptoKey, KeyObject>();
  const keyFor = async (token: string) => {
    const header = decodeProtectedHeader(token);
    if (!ALGORITHMS.includes(header.alg as jwt.Algorithm))
      throw new Error(`algorithm ${header.alg} is not accepted`);
    // No extension this authorizer understands may be marked critical (RFC 7515 §4.1.11), as jose refused too.
    if (header.crit !== undefined) throw new Error('token has critical header parameters');
    const cryptoKey = await keys(header);
    let keyObject = keyObjects.get(cryptoKey);
    if (!keyObject) {
      keyObject = KeyObject.from(cryptoKey);
      keyObjects.set(cryptoKey, keyObject);
    }
    return keyObject;
  };
  return async (authorization: string | undefined): Promise<AuthorizerResult> => {
    const match = authorization ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim()) : null;
    if (!match?.[1]) return { ok: false, reason: 'missing bearer token' };
    let payload: jwt.JwtPayload;
    try {
      const verified = jwt.verify(match[1], await keyFor(match[1]), {
        algorithms: ALGORITHMS,
        issuer: config.issuer,
        clockTolerance: 0,
      });
      if (typeof verified === 'string') return { ok: false, reason: 'token payload is not a JSON object' };
      payload = verified;
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    if (typeof payload.exp !== 'number') return { ok: false, reason: 'token has no numeric exp' };
    if (payload.iat !== undefined && typeof payload.iat !== 'number')
      return { ok: false, reason: 'token iat is not a number' };
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
