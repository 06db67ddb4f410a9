// A signing key and JWKS server standing in for the auth service, so the runtime's JWT authorizer can be tested
// before (and independently of) the real token endpoint.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll } from 'vitest';

export async function startTestIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;

  return {
    jwksUrl,
    /**
     * A token of this issuer. `expiresIn: null` leaves `exp` out; `header` adds protected header parameters (those
     * named in its `crit` are signed as understood).
     */
    async sign(
      claims: JWTPayload & { iss: string },
      options: {
        expiresIn?: string | number | null;
        key?: Parameters<SignJWT['sign']>[0];
        header?: { crit?: string[]; [name: string]: unknown };
      } = {},
    ) {
      let token = new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'at+jwt', ...options.header })
        .setIssuedAt();
      if (options.expiresIn !== null) token = token.setExpirationTime(options.expiresIn ?? '5m');
      const crit = options.header?.crit;
      return token.sign(
        options.key ?? privateKey,
        crit ? { crit: Object.fromEntries(crit.map((name) => [name, true])) } : undefined,
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestIssuer = Awaited<ReturnType<typeof startTestIssuer>>;

/** A test issuer whose tokens a platform started after it accepts: its JWKS becomes the runtime's JWT_JWKS_URL. */
export async function startTrustedIssuer(): Promise<TestIssuer> {
  const issuer = await startTestIssuer();
  process.env.JWT_JWKS_URL = issuer.jwksUrl;
  return issuer;
}

/**
 * Registers the file's beforeAll and afterAll for a trusted issuer (startTrustedIssuer), closed when the file ends.
 * Register it before the platform's hooks: the platform reads JWT_JWKS_URL as it starts.
 */
export function withTestIssuer(started: (issuer: TestIssuer) => void): void {
  let issuer: TestIssuer | undefined;
  beforeAll(async () => {
    issuer = await startTrustedIssuer();
    started(issuer);
  });
  afterAll(async () => {
    await issuer?.close();
  });
}
