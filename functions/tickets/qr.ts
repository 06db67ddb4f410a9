// What a ticket's QR code carries: a compact JWS (RFC 7515), EdDSA over Ed25519, whose payload names the ticket and
// its event (`{"t": ticketId, "e": eventId}`) and whose header names the signing key (`kid`). A scanner holding the
// published keys (GET /v1/tickets/qr-keys, a JWKS) checks it offline; about 250 characters, a version 10 QR code.
import { CompactSign, compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import * as z from 'zod';
import type { SigningKey } from '../../layers/common/signing-keys';

export const QR_ALG = 'EdDSA';

export interface QrClaims {
  ticketId: string;
  eventId: string;
}

const claims = z.object({ t: z.uuid(), e: z.uuid() });
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Ed25519 signatures are deterministic: the same ticket and key always give the same payload. */
export function signQr(ticket: QrClaims, signer: { kid: string; key: SigningKey }): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify({ t: ticket.ticketId, e: ticket.eventId })))
    .setProtectedHeader({ alg: QR_ALG, kid: signer.kid })
    .sign(signer.key);
}

/**
 * Checks payloads against `jwks`: the ticket a payload names when one of those keys signed it; undefined for anything
 * else (tampered, foreign, junk). Build it once per key set: it imports the keys.
 */
export function qrVerifier(jwks: JSONWebKeySet): (payload: string) => Promise<QrClaims | undefined> {
  const keys = createLocalJWKSet(jwks);
  return async (payload) => {
    try {
      const { payload: bytes } = await compactVerify(payload.trim(), keys, { algorithms: [QR_ALG] });
      const parsed = claims.safeParse(JSON.parse(decoder.decode(bytes)));
      return parsed.success ? { ticketId: parsed.data.t, eventId: parsed.data.e } : undefined;
    } catch {
      return undefined;
    }
  };
}

export const verifyQr = (payload: string, jwks: JSONWebKeySet) => qrVerifier(jwks)(payload);
