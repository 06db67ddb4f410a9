// The door's rules: what a scan of a ticket comes to (admitted, already admitted, cancelled, unpaid, another event's
// ticket, unknown), who may scan, and how an offline batch is settled (the earliest scan of a ticket wins). No SQL.
import type { StaffRole } from './staff.store';

export interface ScanInput {
  eventId: string;
  /** From a verified QR payload; otherwise `code`, as typed at the door. */
  ticketId?: string;
  code?: string;
  scanId: string;
  gate?: string;
  scannedAt: Date;
  scannedBy: string;
}

export interface FirstScan {
  scanId: string;
  gate: string | null;
  scannedAt: string;
}

/** What the admitting statement saw: the ticket and its admission before and after the scan. */
export interface Admission {
  ticketId: string;
  eventId: string;
  tier: { id: string; name: string };
  holder: { firstName: string };
  ticketStatus: string;
  orderStatus: string;
  /** The admission now recorded for the ticket, if any. */
  winner: FirstScan | null;
  /** An admission this scan replaced because it was made earlier (offline scans only). */
  displaced: FirstScan | null;
}

export type Outcome =
  | 'admitted'
  | 'already-admitted'
  | 'cancelled'
  | 'not-paid'
  | 'other-event'
  | 'unknown'
  | 'invalid-scan';

export interface ScanResult {
  outcome: Outcome;
  ticketId?: string;
  tier?: { id: string; name: string };
  holder?: { firstName: string };
  /** For `admitted`: this scan. For `already-admitted`: the scan that admitted the ticket first. */
  admission?: FirstScan;
  displaced?: FirstScan;
}

const UNPAID = new Set(['pending_payment', 'awaiting_payment']);

/** Roles that may scan; organizer reads (attendees, exports) need owner or manager. */
export const SCANNING_ROLES: readonly StaffRole[] = ['owner', 'manager', 'check-in'];

/**
 * The answer to one scan. A retry of a scan that admitted the ticket (same scan id) is answered `admitted` again, so a
 * scanner that retries never sees its own admission as a duplicate.
 */
export function resultOf(admission: Admission | undefined, scan: ScanInput): ScanResult {
  if (!admission) return { outcome: 'unknown' };
  const ticket = { ticketId: admission.ticketId, tier: admission.tier, holder: admission.holder };
  // Another event's ticket: its staff learn nothing about it.
  if (admission.eventId !== scan.eventId) return { outcome: 'other-event' };
  if (UNPAID.has(admission.orderStatus) && admission.ticketStatus === 'valid')
    return { outcome: 'not-paid', ...ticket };
  // Cancelled, refunded, or an unpaid order that expired: the ticket admits nobody.
  if (admission.ticketStatus !== 'valid' || admission.orderStatus !== 'confirmed')
    return { outcome: 'cancelled', ...ticket };
  const winner = admission.winner;
  if (!winner) throw new Error('a valid ticket without an admission after the admitting statement');
  if (winner.scanId === scan.scanId)
    return {
      outcome: 'admitted',
      ...ticket,
      admission: winner,
      ...(admission.displaced ? { displaced: admission.displaced } : {}),
    };
  return { outcome: 'already-admitted', ...ticket, admission: winner };
}

/** How far ahead of the server's clock an offline scanner's clock may be before its scan time is not believed. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Offline scans in the order that settles them: earliest first, so the earliest scan of each ticket wins. */
export const settlingOrder = <T extends { scannedAt: Date; scanId: string }>(scans: T[]): T[] =>
  [...scans].sort((a, b) => a.scannedAt.getTime() - b.scannedAt.getTime() || (a.scanId < b.scanId ? -1 : 1));
