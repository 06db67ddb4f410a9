// The door's answers to a scan, decided from what the admitting statement saw.
import { describe, expect, it } from 'vitest';
import {
  type Admission,
  resultOf,
  type ScanInput,
  settlingOrder,
} from '../../../functions/tickets/check-ins';

const EVENT = '0e6a9f3c-2d1b-4c8e-8f7a-6b5c4d3e2f10';
const scan = (extra: Partial<ScanInput> = {}): ScanInput => ({
  eventId: EVENT,
  code: 'ABCDE-FGHJK-MNPQR-STVWX',
  scanId: 'scan-0001',
  gate: 'North',
  scannedAt: new Date('2026-06-01T19:00:00Z'),
  scannedBy: '11111111-1111-4111-8111-111111111111',
  ...extra,
});
const first = { scanId: 'scan-0001', gate: 'North', scannedAt: '2026-06-01T19:00:00.000Z' };
const admission = (extra: Partial<Admission> = {}): Admission => ({
  ticketId: '5b0f0c8e-4a4e-4f43-9a55-3f2b1b7c9d01',
  eventId: EVENT,
  tier: { id: '6b0f0c8e-4a4e-4f43-9a55-3f2b1b7c9d01', name: 'Standard' },
  holder: { firstName: 'Ada' },
  ticketStatus: 'valid',
  orderStatus: 'confirmed',
  winner: first,
  displaced: null,
  ...extra,
});

describe('a scan at the door', () => {
  it('admits with the tier and the holder when this scan recorded the admission', () => {
    expect(resultOf(admission(), scan())).toMatchObject({
      outcome: 'admitted',
      tier: { name: 'Standard' },
      holder: { firstName: 'Ada' },
      admission: first,
    });
  });

  it('answers a retry of the admitting scan as admitted again, never as a duplicate', () => {
    expect(resultOf(admission(), scan()).outcome).toBe('admitted');
    expect(resultOf(admission(), scan()).outcome).toBe('admitted');
  });

  it('answers another scan of an admitted ticket with when and where it was first scanned', () => {
    expect(resultOf(admission(), scan({ scanId: 'scan-0002', gate: 'South' }))).toMatchObject({
      outcome: 'already-admitted',
      admission: first,
    });
  });

  it('refuses cancelled, refunded and expired tickets, and unpaid ones', () => {
    expect(
      resultOf(admission({ ticketStatus: 'void', orderStatus: 'cancelled', winner: null }), scan()).outcome,
    ).toBe('cancelled');
    expect(resultOf(admission({ orderStatus: 'expired', winner: null }), scan()).outcome).toBe('cancelled');
    expect(resultOf(admission({ orderStatus: 'awaiting_payment', winner: null }), scan()).outcome).toBe(
      'not-paid',
    );
  });

  it("tells another event's ticket apart without saying whose it is, and an unknown one", () => {
    const other = resultOf(
      admission({ eventId: '7e6a9f3c-2d1b-4c8e-8f7a-6b5c4d3e2f10', winner: null }),
      scan(),
    );
    expect(other).toEqual({ outcome: 'other-event' });
    expect(resultOf(undefined, scan())).toEqual({ outcome: 'unknown' });
  });

  it('reports the later admission an earlier offline scan replaced', () => {
    const later = { scanId: 'scan-0009', gate: 'South', scannedAt: '2026-06-01T19:05:00.000Z' };
    expect(resultOf(admission({ displaced: later }), scan())).toMatchObject({
      outcome: 'admitted',
      displaced: later,
    });
  });
});

describe('settling an offline batch', () => {
  it('takes the scans earliest first, whatever order they were sent in', () => {
    const at = (iso: string, scanId: string) => ({ scannedAt: new Date(iso), scanId });
    const settled = settlingOrder([
      at('2026-06-01T19:02:00Z', 'c'),
      at('2026-06-01T19:00:00Z', 'b'),
      at('2026-06-01T19:00:00Z', 'a'),
    ]);
    expect(settled.map((s) => s.scanId)).toEqual(['a', 'b', 'c']);
  });
});
