// "Add to calendar" files: valid iCalendar that calendar apps import.
import { describe, expect, it } from 'vitest';
import { icsFor } from '../../../web/src/lib/ics';

describe('icsFor', () => {
  const ics = icsFor(
    {
      uid: 'e1',
      name: 'Jazz, live; at night',
      startsAt: '2026-03-14T19:00:00.000Z',
      endsAt: '2026-03-14T22:00:00.000Z',
      place: 'Le Duc, Paris',
      description: `Line one\nline two ${'x'.repeat(120)}`,
    },
    new Date('2026-01-01T00:00:00Z'),
  );

  it('holds one event in UTC with escaped text', () => {
    expect(ics).toContain('DTSTART:20260314T190000Z\r\n');
    expect(ics).toContain('DTEND:20260314T220000Z\r\n');
    expect(ics).toContain('SUMMARY:Jazz\\, live\\; at night\r\n');
    expect(ics).toContain('LOCATION:Le Duc\\, Paris\r\n');
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('folds lines longer than 75 octets', () => {
    for (const line of ics.split('\r\n'))
      expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(ics).toContain('\r\n ');
  });
});
