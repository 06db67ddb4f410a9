// Wiring of the door's dependencies (check-ins, their stats, QR codes and their keys), built once per container.
import type { JSONWebKeySet } from 'jose';
import { once } from '../../layers/common/config';
import { getPool, withTransaction } from '../../layers/common/db';
import type { Admission, ScanInput } from './check-ins';
import { admit, type CheckInStats, checkInStats, findHeldTicket, type HeldTicket } from './check-ins.store';
import { type QrClaims, signQr, verifyQr } from './qr';
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

export const doorDeps = once((): DoorDeps => {
  const pool = () => getPool('tickets');
  let keys: ReturnType<typeof qrSigningKeys> | undefined;
  const qrKeys = async () => (keys ??= qrSigningKeys(await pool()));
  return {
    role: async (eventId, userId) => staffRole(await pool(), eventId, userId),
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
    verifyQr: async (payload) => verifyQr(payload, await (await qrKeys()).jwks()),
    qrKeys: async () => (await qrKeys()).jwks(),
    rotateQrKeys: async () => (await qrKeys()).rotateIfDue(),
    now: () => new Date(),
  };
});
