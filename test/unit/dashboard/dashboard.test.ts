// The dashboard's rules without I/O: the window a metrics request covers, net revenue and fill rate, and CSV that is
// both RFC 4180 and safe to open in a spreadsheet.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AttendeeRecord,
  attendeeOf,
  attendeesCsv,
  CSV_COLUMNS,
  csvField,
  csvLine,
  exportFileName,
  fillRate,
  formatMinor,
  knownTimeZone,
  localTime,
  resolveWindow,
  revenueLines,
  withOffset,
} from '../../../functions/tickets/dashboard';
import { MAX_BUCKETS } from '../../../functions/tickets/dashboard.schemas';
import { ValidationError } from '../../../layers/common/errors';

const now = new Date('2026-11-25T12:00:00Z');
const event = { startsAt: new Date('2026-12-24T20:00:00Z'), firstSaleAt: new Date('2026-11-01T08:00:00Z') };
const fieldsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors.map((entry) => entry.field);
    throw error;
  }
  return [];
};

describe('the window of a metrics request', () => {
  it('runs from the first sale to now by default', () => {
    expect(resolveWindow({ interval: 'day' }, event, now)).toEqual({
      from: event.firstSaleAt,
      to: now,
      interval: 'day',
    });
  });

  it('ends when the event starts, once it has (sales stop then)', () => {
    const started = { ...event, startsAt: new Date('2026-11-20T19:00:00Z') };
    expect(resolveWindow({ interval: 'hour' }, started, now).to).toEqual(started.startsAt);
  });

  it('covers only the last buckets by default when sales began too long ago for one request', () => {
    const early = { ...event, firstSaleAt: new Date('2025-01-01T00:00:00Z') };
    const window = resolveWindow({ interval: 'hour' }, early, now);
    expect(now.getTime() - window.from.getTime()).toBe((MAX_BUCKETS - 2) * 3_600_000);
  });

  it('is one bucket wide for an event without sales', () => {
    const window = resolveWindow({ interval: 'day' }, { ...event, firstSaleAt: null }, now);
    expect(window.from).toEqual(now);
  });

  it('takes explicit bounds as given', () => {
    const window = resolveWindow(
      { interval: 'hour', from: '2026-11-24T00:00:00+01:00', to: '2026-11-25T00:00:00+01:00' },
      event,
      now,
    );
    expect(window.from.toISOString()).toBe('2026-11-23T23:00:00.000Z');
    expect(window.to.toISOString()).toBe('2026-11-24T23:00:00.000Z');
  });

  it('refuses bounds out of order, naming the field to fix', () => {
    expect(
      fieldsOf(() =>
        resolveWindow(
          { interval: 'day', from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' },
          event,
          now,
        ),
      ),
    ).toEqual(['to']);
    expect(
      fieldsOf(() => resolveWindow({ interval: 'day', from: '2027-01-01T00:00:00Z' }, event, now)),
    ).toEqual(['from']);
  });

  it(`refuses a window of more than ${MAX_BUCKETS} buckets and accepts one just under`, () => {
    const from = '2026-01-01T00:00:00Z';
    const at = (hours: number) => new Date(new Date(from).getTime() + hours * 3_600_000).toISOString();
    expect(
      fieldsOf(() => resolveWindow({ interval: 'hour', from, to: at(MAX_BUCKETS - 2) }, event, now)),
    ).toEqual([]);
    expect(
      fieldsOf(() => resolveWindow({ interval: 'hour', from, to: at(MAX_BUCKETS - 1) }, event, now)),
    ).toEqual(['from']);
    expect(
      fieldsOf(() => resolveWindow({ interval: 'day', from, to: at(24 * (MAX_BUCKETS - 2)) }, event, now)),
    ).toEqual([]);
    expect(
      fieldsOf(() => resolveWindow({ interval: 'day', from, to: at(24 * MAX_BUCKETS) }, event, now)),
    ).toEqual(['from']);
  });
});

describe('figures', () => {
  it('derives net revenue from gross and refunds, one line per currency', () => {
    expect(
      revenueLines([
        { currency: 'USD', gross: 8000, refunds: 0 },
        { currency: 'EUR', gross: 30_500, refunds: 9000 },
      ]),
    ).toEqual([
      { currency: 'EUR', gross: 30_500, refunds: 9000, net: 21_500 },
      { currency: 'USD', gross: 8000, refunds: 0, net: 8000 },
    ]);
  });

  it('gives the fill rate as a ratio with four decimals, 0 without capacity', () => {
    expect(fillRate(6, 30)).toBe(0.2);
    expect(fillRate(1, 3)).toBe(0.3333);
    expect(fillRate(5, 0)).toBe(0);
  });

  it('labels local times with their UTC offset, half and quarter hours included', () => {
    expect(withOffset('2026-03-29T03:00:00', 7200)).toBe('2026-03-29T03:00:00+02:00');
    expect(withOffset('2026-03-08T01:00:00', -18_000)).toBe('2026-03-08T01:00:00-05:00');
    expect(withOffset('2026-01-10T16:00:00', 19_800)).toBe('2026-01-10T16:00:00+05:30');
    expect(withOffset('2026-01-10T16:00:00', 20_700)).toBe('2026-01-10T16:00:00+05:45');
    expect(withOffset('2026-01-10T16:00:00', 0)).toBe('2026-01-10T16:00:00+00:00');
  });

  it('turns an instant and its offset into wall-clock time, across date lines', () => {
    expect(localTime(new Date('2026-03-29T01:00:00Z'), 7200)).toBe('2026-03-29T03:00:00+02:00');
    expect(localTime(new Date('2026-03-08T04:30:00Z'), -18_000)).toBe('2026-03-07T23:30:00-05:00');
    expect(localTime(new Date('2026-01-10T20:00:00Z'), 45_900)).toBe('2026-01-11T08:45:00+12:45');
  });

  it('falls back to UTC for a zone the runtime does not know', () => {
    expect(knownTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(knownTimeZone('Mars/Olympus_Mons')).toBe('UTC');
  });

  it('writes minor units in the digits of their currency', () => {
    expect(formatMinor(14_550, 'EUR')).toBe('145.50');
    expect(formatMinor(5, 'EUR')).toBe('0.05');
    expect(formatMinor(1500, 'JPY')).toBe('1500');
    expect(formatMinor(12_345, 'KWD')).toBe('12.345');
    expect(formatMinor(250, 'XYZ')).toBe('2.50');
  });
});

describe('CSV', () => {
  it('prefixes with an apostrophe every text a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r', '\n']) {
      expect(csvField(`${start}1+1`).replace(/^"/, '')).toMatch(/^'/);
    }
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(-5)).toBe('-5');
  });

  it('quotes fields holding a comma, a quote or a line break, and nothing else', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Doe, Jane')).toBe('"Doe, Jane"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvLine(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });

  it('round-trips any text through a real CSV parser, formulas neutralised and nothing else changed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom(...'aZ1 =+-@\t\r\n",\'é😀') }), {
          minLength: 1,
          maxLength: 6,
        }),
        (fields) => {
          const [parsed] = parse(csvLine(fields), { relax_column_count: false }) as string[][];
          expect(parsed).toEqual(fields.map((field) => (/^[=+\-@\t\r\n]/.test(field) ? `'${field}` : field)));
        },
      ),
    );
  });

  it('names the file with safe characters only', () => {
    const id = '1a2b3c4d-0000-4000-8000-000000000000';
    expect(exportFileName('Gala, "Summer" = 2026', id)).toBe('attendees-gala-summer-2026-1a2b3c4d.csv');
    expect(exportFileName('Zoë & Chloé à Paris', id)).toBe('attendees-zoe-chloe-a-paris-1a2b3c4d.csv');
    expect(exportFileName('"; filename=evil.exe\r\nx: y', id)).toBe(
      'attendees-filename-evil-exe-x-y-1a2b3c4d.csv',
    );
    expect(exportFileName('東京', id)).toBe('attendees-1a2b3c4d.csv');
  });
});

describe('the attendee export', () => {
  const record = (index: number, firstName = `Buyer ${index}`): AttendeeRecord => ({
    ticketId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    ticketCode: `CODE-${index}`,
    ticketStatus: 'valid',
    tierId: '00000000-0000-4000-8000-000000000000',
    tierName: 'Standard',
    orderId: `10000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    orderStatus: 'confirmed',
    email: `buyer${index}@example.com`,
    firstName,
    purchasedAt: '2026-07-01T00:30:00.000Z',
    purchasedAtLocal: '2026-07-01T09:30:00+09:00',
    orderTotal: 2500,
    orderRefund: null,
    currency: 'EUR',
    purchasedLocal: '2026-07-01 09:30:00',
    cancelledLocal: null,
    position: `after-${index}`,
  });

  it('writes a header and one row per ticket, with a byte order mark for spreadsheets', () => {
    const csv = attendeesCsv({ items: [record(1), record(2, '=1+1')], nextCursor: 'more' }, 'Asia/Tokyo');
    expect(csv.body.startsWith(`\uFEFF${CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    const rows = parse(csv.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      buyer_first_name: "'=1+1",
      order_total: '25.00',
      timezone: 'Asia/Tokyo',
    });
    expect(csv).toMatchObject({ rows: 2, nextCursor: 'more' });
  });

  it('ends a file before it outgrows a Lambda response, continuing after its last row', () => {
    const items = Array.from({ length: 50 }, (_, index) => record(index));
    const oneRow = attendeesCsv({ items: items.slice(0, 1), nextCursor: null }, 'UTC').body.length;
    const csv = attendeesCsv({ items, nextCursor: null }, 'UTC', oneRow * 10);
    expect(csv.rows).toBeGreaterThan(0);
    expect(csv.rows).toBeLessThan(50);
    expect(Buffer.byteLength(csv.body)).toBeLessThanOrEqual(oneRow * 10);
    expect(csv.nextCursor).toBe(`after-${csv.rows - 1}`);
  });

  it('shows the JSON list only the attendee fields', () => {
    expect(Object.keys(attendeeOf(record(1))).sort()).toEqual(
      [
        'email',
        'firstName',
        'orderId',
        'orderStatus',
        'purchasedAt',
        'purchasedAtLocal',
        'ticketCode',
        'ticketId',
        'ticketStatus',
        'tierId',
        'tierName',
      ].sort(),
    );
  });
});
