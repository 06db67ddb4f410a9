// The rules of the organizer dashboard: which window a metrics request covers, how figures are derived (net revenue,
// fill rate), and how a spreadsheet-safe CSV is written. No SQL, no AWS here.
import { ValidationError } from '../../layers/common/errors';
import { type Attendee, type Interval, MAX_BUCKETS, type MetricsQuery } from './dashboard.schemas';

const HOUR_MS = 3_600_000;
/** A local day is 23 or 25 hours when clocks change; the bucket count below allows for one partial bucket each end. */
const NOMINAL_MS: Record<Interval, number> = { hour: HOUR_MS, day: 24 * HOUR_MS };

export interface MetricsWindow {
  from: Date;
  to: Date;
  interval: Interval;
}

/**
 * The instants a metrics request covers. `to` defaults to now, or the event's start once it has started (sales end
 * then); `from` defaults to the first sale, limited to the last MAX_BUCKETS buckets. Explicit bounds that are out of
 * order or span more than MAX_BUCKETS buckets are a 400 that says how to fix them.
 */
export function resolveWindow(
  query: MetricsQuery,
  event: { startsAt: Date; firstSaleAt: Date | null },
  now: Date,
): MetricsWindow {
  const { interval } = query;
  const to = query.to ? new Date(query.to) : new Date(Math.min(now.getTime(), event.startsAt.getTime()));
  let from: Date;
  if (query.from) {
    from = new Date(query.from);
  } else {
    const earliest = to.getTime() - (MAX_BUCKETS - 2) * NOMINAL_MS[interval];
    const first = event.firstSaleAt?.getTime() ?? to.getTime();
    from = new Date(Math.max(earliest, Math.min(first, to.getTime())));
  }
  if (from.getTime() > to.getTime()) {
    throw new ValidationError([
      query.to
        ? { in: 'query', field: 'to', message: 'Must not be before `from`.' }
        : {
            in: 'query',
            field: 'from',
            message:
              'Must not be after `to`, which defaults to now (or the start of the event once it has started).',
          },
    ]);
  }
  // Buckets the window touches, at worst: the whole ones plus a partial one at each end.
  const buckets = Math.floor((to.getTime() - from.getTime()) / NOMINAL_MS[interval]) + 2;
  if (query.from && buckets > MAX_BUCKETS) {
    const longest = Math.floor(((MAX_BUCKETS - 2) * NOMINAL_MS[interval]) / HOUR_MS);
    throw new ValidationError([
      {
        in: 'query',
        field: 'from',
        message:
          `The window holds more than ${MAX_BUCKETS} buckets of one ${interval}: keep \`from\` and \`to\` at most ` +
          `${longest} hours apart${interval === 'hour' ? ', or use interval=day' : ''}.`,
      },
    ]);
  }
  return { from, to, interval };
}

/** Bucket size for SQL (`date_trunc` field and step). */
export const stepOf = (interval: Interval) => `1 ${interval}`;

/** sold / capacity, 0 to 1 with 4 decimals. */
export function fillRate(sold: number, capacity: number): number {
  if (capacity <= 0) return 0;
  return Math.round((sold / capacity) * 10_000) / 10_000;
}

export interface MoneyTotals {
  currency: string;
  gross: number;
  refunds: number;
}

/** Revenue lines sorted by currency: gross (every order placed), refunds, and net = gross − refunds. */
export function revenueLines(totals: MoneyTotals[]) {
  return [...totals]
    .sort((a, b) => a.currency.localeCompare(b.currency))
    .map(({ currency, gross, refunds }) => ({ currency, gross, refunds, net: gross - refunds }));
}

/** "2026-03-29T03:00:00" and +7200 s → "2026-03-29T03:00:00+02:00". */
export function withOffset(local: string, offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offsetSeconds) / 60);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

/** An instant as wall-clock time at a UTC offset: 2026-03-29T01:00:00Z at +7200 s → "2026-03-29T03:00:00+02:00". */
export function localTime(instant: Date, offsetSeconds: number): string {
  const wall = new Date(instant.getTime() + offsetSeconds * 1000).toISOString().slice(0, 19);
  return withOffset(wall, offsetSeconds);
}

/** The event's zone if the runtime knows it, else UTC (an unknown zone must not turn a read into a 500). */
export function knownTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/** Minor units as a decimal string in the currency's usual digits (JPY 0, EUR 2, KWD 3), for spreadsheets. */
export function formatMinor(amount: number, currency: string): string {
  let digits = 2;
  try {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
  } catch {
    // An unknown code keeps the common two digits.
  }
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
}

// Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection"); LF is added to the list
// because some programs treat a leading line break like CR.
const FORMULA_START = /^[=+\-@\t\r\n]/;

/**
 * One CSV field: text a spreadsheet would run as a formula gets a leading apostrophe, and a field holding a comma,
 * quote or line break is quoted with its quotes doubled (RFC 4180). Numbers we format ourselves are never negative.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (fields: readonly (string | number | null | undefined)[]) =>
  `${fields.map(csvField).join(',')}\r\n`;

/** A file name of safe characters only (no header injection), e.g. "attendees-summer-gala-1a2b3c4d.csv". */
export function exportFileName(eventName: string, eventId: string): string {
  const slug = eventName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `attendees-${slug ? `${slug}-` : ''}${eventId.slice(0, 8)}.csv`;
}

/** One ticket with its order, as the attendee list and the CSV export show it. */
export interface AttendeeRecord extends Attendee {
  orderTotal: number;
  orderRefund: number | null;
  currency: string;
  /** "YYYY-MM-DD HH:MM:SS" in the event's time zone, for spreadsheets. */
  purchasedLocal: string;
  cancelledLocal: string | null;
  /** The cursor that continues after this row. */
  position: string;
}

/** The attendee list as JSON shows it. */
export const attendeeOf = (record: AttendeeRecord): Attendee => ({
  ticketId: record.ticketId,
  ticketCode: record.ticketCode,
  ticketStatus: record.ticketStatus,
  tierId: record.tierId,
  tierName: record.tierName,
  orderId: record.orderId,
  orderStatus: record.orderStatus,
  email: record.email,
  firstName: record.firstName,
  purchasedAt: record.purchasedAt,
  purchasedAtLocal: record.purchasedAtLocal,
});

export const CSV_COLUMNS = [
  'ticket_code',
  'ticket_status',
  'tier',
  'buyer_first_name',
  'buyer_email',
  'order_id',
  'order_status',
  'order_total',
  'order_refund',
  'currency',
  'purchased_at_local',
  'cancelled_at_local',
  'timezone',
  'purchased_at_utc',
] as const;

/** A Lambda response must stay under 6 MB; a file stops short of this and continues on the next page. */
export const MAX_EXPORT_BYTES = 5 * 1024 * 1024;

/**
 * One CSV file of attendees (one row per ticket), UTF-8 with a byte order mark so spreadsheets read accents right,
 * CRLF line ends. When the rows would pass `maxBytes`, the file ends early and `nextCursor` continues after its last row.
 */
export function attendeesCsv(
  page: { items: AttendeeRecord[]; nextCursor: string | null },
  timeZone: string,
  maxBytes = MAX_EXPORT_BYTES,
): { body: string; rows: number; nextCursor: string | null } {
  const parts = [`\uFEFF${csvLine(CSV_COLUMNS)}`];
  let bytes = Buffer.byteLength(parts[0] as string);
  let rows = 0;
  for (const record of page.items) {
    const line = csvLine([
      record.ticketCode,
      record.ticketStatus,
      record.tierName,
      record.firstName,
      record.email,
      record.orderId,
      record.orderStatus,
      formatMinor(record.orderTotal, record.currency),
      record.orderRefund === null ? null : formatMinor(record.orderRefund, record.currency),
      record.currency,
      record.purchasedLocal,
      record.cancelledLocal,
      timeZone,
      record.purchasedAt,
    ]);
    const size = Buffer.byteLength(line);
    if (rows > 0 && bytes + size > maxBytes) {
      return { body: parts.join(''), rows, nextCursor: page.items[rows - 1]?.position ?? null };
    }
    parts.push(line);
    bytes += size;
    rows += 1;
  }
  return { body: parts.join(''), rows, nextCursor: page.nextCursor };
}
