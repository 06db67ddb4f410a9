// Times in the event's own zone and money in its currency's minor units.
import { describe, expect, it } from 'vitest';
import {
  chartDateFormat,
  codeGroups,
  formatAgo,
  formatDateTime,
  formatMoney,
  formatTimeOfDay,
  formatWallClock,
  toMinor,
  utcToZoned,
  zonedToUtc,
} from '../../../web/src/lib/format';

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

  it('says at the door how long ago a ticket was first scanned, and at what time in which zone', () => {
    const now = Date.parse('2026-03-14T19:10:30Z');
    expect(formatAgo('2026-03-14T19:10:30Z', now, 'en')).toBe('1 second ago');
    expect(formatAgo('2026-03-14T19:10:31Z', now, 'en')).toBe('1 second ago');
    expect(formatAgo('2026-03-14T19:10:18Z', now, 'en')).toBe('12 seconds ago');
    expect(formatAgo('2026-03-14T19:06:00Z', now, 'en')).toBe('4 minutes ago');
    expect(formatAgo('2026-03-14T16:00:00Z', now, 'en')).toBe('3 hours ago');
    expect(formatAgo('2026-03-13T19:00:00Z', now, 'en')).toBe('yesterday');
    expect(formatAgo('2026-03-12T19:00:00Z', now, 'en')).toBe('2 days ago');
    expect(formatTimeOfDay('2026-03-14T19:03:12Z', 'Europe/Paris', 'en-GB')).toBe('20:03:12 CET');
  });

  it('shows a time given with its offset as the wall-clock time it names, the offset said as UTC±h', () => {
    expect(formatWallClock('2026-12-04T04:06:30+01:00', 'en-GB')).toBe('4 Dec 2026, 04:06 UTC+1');
    expect(formatWallClock('2026-12-03T22:15:00-05:00', 'en-GB')).toBe('3 Dec 2026, 22:15 UTC-5');
    expect(formatWallClock('2026-12-04T09:45:00.123+05:30', 'en-GB')).toBe('4 Dec 2026, 09:45 UTC+5:30');
    expect(formatWallClock('2026-12-04T03:06:30Z', 'en-GB')).toBe('4 Dec 2026, 03:06 UTC');
    expect(formatWallClock('2026-12-04T03:06:30+00:00', 'en-GB')).toBe('4 Dec 2026, 03:06 UTC');
    expect(formatWallClock('yesterday', 'en-GB')).toBe('yesterday');
    expect(formatWallClock('2026-13-40T25:61:00+01:00', 'en-GB')).toBe('2026-13-40T25:61:00+01:00');
  });

  it('splits a ticket code into its groups, each keeping its hyphen, for lines to break only between them', () => {
    expect(codeGroups('9J6TV-9JV4K-2P8N7-44ENP')).toEqual(['9J6TV-', '9JV4K-', '2P8N7-', '44ENP']);
    expect(codeGroups('9J6TV-9JV4K-2P8N7-44ENP').join('')).toBe('9J6TV-9JV4K-2P8N7-44ENP');
  });

  it("writes the charts' time axes in the reader's order: 04/12/26 in the UK, 12/4/26 in the US", () => {
    // uPlot's templates: an axis' ticks (the time, the date on a second line) and its legend.
    const morning = new Date(2026, 11, 4, 6, 30);
    const axis = '{h}:{mm}{aa}\n{M}/{D}/{YY}';
    expect(chartDateFormat(axis, 'en-GB')(morning)).toBe('06:30\n04/12/26');
    expect(chartDateFormat(axis, 'en-US')(morning)).toBe('6:30 AM\n12/4/26');
    expect(chartDateFormat('{h}{aa}\n{M}/{D}', 'en-GB')(new Date(2026, 11, 4, 6))).toBe('06:00\n04/12');
    expect(chartDateFormat('{MMM}\n{YYYY}', 'en-GB')(morning)).toBe('Dec\n2026');
    expect(chartDateFormat('{YYYY}-{MM}-{DD} {h}:{mm}{aa}', 'en-GB')(morning)).toBe('04/12/2026, 06:30');
  });
});
