import { describe, expect, it } from 'vitest';
import { cancellable, refundableUntil } from '../../../functions/tickets/orders';

const STARTS = new Date('2026-07-01T18:00:00Z');
const order = (overrides: Partial<Parameters<typeof cancellable>[0]> = {}) => ({
  status: 'confirmed',
  total: 4500,
  eventStartsAt: STARTS,
  refundHoursBefore: 48 as number | null,
  ...overrides,
});
const at = (iso: string) => new Date(iso);

describe('refund deadline of an order', () => {
  it('is the policy counted back from the start, and none when the policy gives none or nothing is paid', () => {
    expect(refundableUntil(order())?.toISOString()).toBe('2026-06-29T18:00:00.000Z');
    expect(refundableUntil(order({ refundHoursBefore: 0 }))?.toISOString()).toBe(STARTS.toISOString());
    expect(refundableUntil(order({ refundHoursBefore: null }))).toBeNull();
    expect(refundableUntil(order({ total: 0 }))).toBeNull();
  });
});

describe('a buyer cancelling', () => {
  it('is refunded until the deadline, and refused after it', () => {
    expect(cancellable(order(), at('2026-06-29T17:59:59Z'))).toBe('ok');
    expect(cancellable(order(), at('2026-06-29T18:00:00Z'))).toBe('refund-deadline-passed');
  });

  it('cannot cancel a paid order of an event without refunds', () => {
    expect(cancellable(order({ refundHoursBefore: null }), at('2026-06-01T00:00:00Z'))).toBe(
      'not-refundable',
    );
  });

  it('may cancel a free order or let a hold go until the start, whatever the refund policy', () => {
    const late = at('2026-07-01T17:00:00Z');
    expect(cancellable(order({ total: 0, refundHoursBefore: null }), late)).toBe('ok');
    expect(cancellable(order({ status: 'awaiting_payment' }), late)).toBe('ok');
    expect(cancellable(order({ total: 0 }), STARTS)).toBe('event-started');
  });

  it('finds nothing to cancel in a cancelled or expired order', () => {
    expect(cancellable(order({ status: 'cancelled' }), STARTS)).toBe('already-cancelled');
    expect(cancellable(order({ status: 'expired' }), at('2026-06-01T00:00:00Z'))).toBe('already-cancelled');
  });
});
