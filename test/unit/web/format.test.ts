// Times in the event's own zone and money in its currency's minor units.
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatMoney, toMinor, utcToZoned, zonedToUtc } from '../../../web/src/lib/format';

describe('web formatting', () => {
  it("shows the event's wall-clock time whatever the reader's zone", () => {
    expect(formatDateTime('2026-03-14T19:00:00Z', 'Europe/Paris', 'en-GB')).toContain('20:00');
    expect(formatDateTime('2026-03-14T19:00:00Z', 'America/New_York', 'en-GB')).toContain('15:00');
  });

  it('formats minor units per currency (2 decimals for EUR, none for JPY)', () => {
    expect(formatMoney(1250, 'EUR', 'en-GB')).toBe('€12.50');
    expect(formatMoney(1250, 'JPY', 'en-GB')).toBe('JP¥1,250');
    expect(toMinor('12.5', 'EUR')).toBe(1250);
    expect(toMinor('1250', 'JPY')).toBe(1250);
  });

  it('turns a wall-clock time in a zone into UTC and back, across a DST change', () => {
    expect(zonedToUtc('2026-03-14T20:00', 'Europe/Paris')).toBe('2026-03-14T19:00:00.000Z');
    expect(zonedToUtc('2026-07-14T20:00', 'Europe/Paris')).toBe('2026-07-14T18:00:00.000Z');
    expect(utcToZoned('2026-07-14T18:00:00.000Z', 'Europe/Paris')).toBe('2026-07-14T20:00');
    expect(zonedToUtc('2026-11-01T09:30', 'America/New_York')).toBe('2026-11-01T14:30:00.000Z');
  });
});
