// Wiring of the door's dependencies (check-ins, their stats, QR codes and their keys), built once per container.
import type { JSONWebKeySet } from 'jose';
import { once } from '../../layers/common/config';
import { getPool, withTransaction } from '../../layers/common/db';
import type { Admission, ScanInput } from './check-ins';
import { admit, type CheckInStats, checkInStats, findHeldTicket, type HeldTicket } from './check-ins.store';
import { type QrClaims, qrVerifier, signQr } from './qr';
import { qrSigningKeys } from './qr-keys';
import { type StaffRole, staffRole } from './staff.store';

export interface DoorDeps {
  role(eventId: string, userId: string): Promise<StaffRole | undefined>;
  admit(scan: ScanInput): Promise<Admission | undefined>;
  /** Admits offline scans in the order given (earliest first), each replacing a later admission, in one transaction. */
  admitOffline(scans: ScanInput[]): Promise<(Admission | undefined)[]>;
  stats(eventId: string): Promise<CheckInStats>;
  heldTicket(ticketId: string, userId: string): Promise<HeldTicket | undefined>;
  signQr(ticket: QrClaims): Promise<string>;
  verifyQr(payload: string): Promise<QrClaims | undefined>;
  qrKeys(): Promise<JSONWebKeySet>;
  rotateQrKeys(): Promise<boolean>;
  now(): Date;
}

/**
 * A door scans thousands of tickets in minutes with the same account: its role is kept this long per container (a
 * statement less per scan). The bound on revocation: a member taken off the team is refused at most this long after
 * tickets applied the EventTeamChanged message (its copy of the team), in every container.
 */
export const ROLE_CACHE_MS = 5_000;

export const doorDeps = once((): DoorDeps => {
  const pool = () => getPool('tickets');
  let keys: ReturnType<typeof qrSigningKeys> | undefined;
  const qrKeys = async () => (keys ??= qrSigningKeys(await pool()));
  let verifier: { kids: string; verify: ReturnType<typeof qrVerifier> } | undefined;
  const verify = async (payload: string) => {
    const jwks = await (await qrKeys()).jwks();
    const kids = jwks.keys.map((key) => key.kid).join();
    if (verifier?.kids !== kids) verifier = { kids, verify: qrVerifier(jwks) };
    return verifier.verify(payload);
  };
  const roles = new Map<string, { role: StaffRole | undefined; until: number }>();
  const role = async (eventId: string, userId: string) => {
    const key = `${eventId}:${userId}`;
    const cached = roles.get(key);
    if (cached && cached.until > Date.now()) return cached.role;
    const found = await staffRole(await pool(), eventId, userId);
    if (roles.size > 10_000) roles.clear();
    roles.set(key, { role: found, until: Date.now() + ROLE_CACHE_MS });
    return found;
  };
  return {
    role,
    admit: async (scan) => admit(await pool(), scan, false),
    admitOffline: async (scans) =>
      withTransaction(await pool(), async (client) => {
        const results: (Admission | undefined)[] = [];
        for (const scan of scans) results.push(await admit(client, scan, true));
        return results;
      }),
    stats: async (eventId) => checkInStats(await pool(), eventId),
    heldTicket: async (ticketId, userId) => findHeldTicket(await pool(), ticketId, userId),
    signQr: async (ticket) => signQr(ticket, await (await qrKeys()).current()),
    verifyQr: verify,
    qrKeys: async () => (await qrKeys()).jwks(),
    rotateQrKeys: async () => (await qrKeys()).rotateIfDue(),
    now: () => new Date(),
  };
});
