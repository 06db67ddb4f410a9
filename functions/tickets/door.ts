// What the door's handlers share: who may scan an event, a scan as the domain takes it, and each refusal as HTTP.
import { AppError, NotFoundError } from '../../layers/common/errors';
import type { Caller } from '../../layers/common/http';
import { type Outcome, SCANNING_ROLES, type ScanInput, type ScanResult } from './check-ins';
import type { DoorDeps } from './door.deps';
import type { StaffRole } from './staff.store';

/** The caller's role on the event if it allows scanning; anyone else is told there is no such event, as elsewhere. */
export async function requireScanner(deps: DoorDeps, eventId: string, caller: Caller): Promise<StaffRole> {
  const role = await deps.role(eventId, caller.userId);
  if (!role || !SCANNING_ROLES.includes(role)) throw new NotFoundError('You have no event with this id.');
  return role;
}

const TICKET_CODE = /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/i;

export interface Scanned {
  scanId: string;
  payload?: string;
  code?: string;
  gate?: string;
}

/** The scan as the store takes it, or `invalid-scan` when a QR payload does not verify with our keys. */
export async function scanInputOf(
  deps: DoorDeps,
  eventId: string,
  scan: Scanned,
  scannedAt: Date,
  caller: Caller,
): Promise<ScanInput | 'invalid-scan'> {
  const base = { eventId, scanId: scan.scanId, gate: scan.gate, scannedAt, scannedBy: caller.userId };
  if (scan.code !== undefined) return { ...base, code: scan.code.toUpperCase() };
  // A QR code that carries the plain ticket code (as older ticket pages and emails draw it) is a typed code.
  if (TICKET_CODE.test(scan.payload ?? '')) return { ...base, code: (scan.payload as string).toUpperCase() };
  const claims = await deps.verifyQr(scan.payload ?? '');
  return claims ? { ...base, ticketId: claims.ticketId } : 'invalid-scan';
}

const REFUSALS: Record<Exclude<Outcome, 'admitted'>, [status: number, title: string, detail: string]> = {
  'already-admitted': [
    409,
    'Already admitted',
    'This ticket was already scanned in; see `admission` for when and where.',
  ],
  cancelled: [409, 'Ticket cancelled', 'This ticket was cancelled or refunded and admits nobody.'],
  'not-paid': [409, 'Ticket not paid', 'The order of this ticket is still awaiting payment.'],
  'other-event': [422, 'Another event’s ticket', 'This ticket is for another event.'],
  unknown: [404, 'Unknown ticket', 'No ticket has this code.'],
  'invalid-scan': [
    404,
    'Unknown ticket',
    'This QR code is not a ticket we signed (altered, or from elsewhere).',
  ],
};

/** A refused scan as problem+json; the body carries the outcome and, when known, the ticket and its admission. */
export function refusal(result: ScanResult): AppError {
  const outcome = result.outcome as Exclude<Outcome, 'admitted'>;
  const [status, title, detail] = REFUSALS[outcome];
  const { outcome: _outcome, displaced: _displaced, ...rest } = result;
  return new AppError(status, outcome, title, detail, { outcome, ...rest });
}
