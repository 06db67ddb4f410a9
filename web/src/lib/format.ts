// Dates, times and money through Intl, always in the event's own time zone and currency (a Paris concert shows
// Paris time to a buyer in Tokyo). Formatters are cached: building one is the costly part.
type Formatter = Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat;
const cache = new Map<string, Formatter>();

function cached<T extends Formatter>(key: string, make: () => T): T {
  let formatter = cache.get(key) as T | undefined;
  if (!formatter) {
    formatter = make();
    cache.set(key, formatter);
  }
  return formatter;
}

const locale = () => (typeof navigator === 'undefined' ? 'en' : navigator.language) || 'en';

const DATE_TIME: Intl.DateTimeFormatOptions = {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
};

const dateTimeIn = (timeZone: string, loc: string, weekday?: 'short') =>
  cached(
    `dt|${loc}|${timeZone}|${weekday ?? ''}`,
    () => new Intl.DateTimeFormat(loc, { ...DATE_TIME, weekday, timeZone }),
  ) as Intl.DateTimeFormat;

/** "Sat, 14 Mar 2026, 20:00 CET" in the event's zone. */
export function formatDateTime(iso: string, timeZone: string, loc = locale()): string {
  return dateTimeIn(timeZone, loc, 'short').format(new Date(iso));
}

/** "14 Mar 2026, 20:00 – 23:00 CET": a start and end in the event's zone. */
export function formatRange(startIso: string, endIso: string, timeZone: string, loc = locale()): string {
  return dateTimeIn(timeZone, loc).formatRange(new Date(startIso), new Date(endIso));
}

const minorDigits = (currency: string) =>
  cached(
    `digits|${currency}`,
    () => new Intl.NumberFormat('en', { style: 'currency', currency }),
  ).resolvedOptions().maximumFractionDigits ?? 2;

/** Integer minor units in an ISO 4217 currency ("€12.50" for 1250 EUR; "¥1,250" for 1250 JPY). */
export function formatMoney(minor: number, currency: string, loc = locale()): string {
  const value = minor / 10 ** minorDigits(currency);
  return cached(
    `money|${loc}|${currency}`,
    () => new Intl.NumberFormat(loc, { style: 'currency', currency }),
  ).format(value);
}

/** Whole units a person types ("12.50") to integer minor units. */
export function toMinor(amount: string, currency: string): number {
  return Math.round(Number.parseFloat(amount || '0') * 10 ** minorDigits(currency));
}

export function fromMinor(minor: number, currency: string): string {
  return (minor / 10 ** minorDigits(currency)).toFixed(minorDigits(currency));
}

/**
 * How long ago an instant was, for a person deciding at once ("1 second ago", "4 minutes ago", "yesterday"),
 * counted from `now` (ms since the epoch). Never "now", which Intl says for 0 seconds: "First scanned now" at the door
 * read as if this scan had been the first.
 */
export function formatAgo(iso: string, now: number, loc = locale()): string {
  const seconds = Math.max(1, Math.round((now - Date.parse(iso)) / 1000));
  const relative = cached(`ago|${loc}`, () => new Intl.RelativeTimeFormat(loc, { numeric: 'auto' }));
  if (seconds < 60) return relative.format(-seconds, 'second');
  if (seconds < 3_600) return relative.format(-Math.floor(seconds / 60), 'minute');
  if (seconds < 86_400) return relative.format(-Math.floor(seconds / 3_600), 'hour');
  return relative.format(-Math.floor(seconds / 86_400), 'day');
}

/** "20:03:12 CET": a time of day with its zone named (the device's own unless `timeZone` is given). */
export function formatTimeOfDay(iso: string, timeZone?: string, loc = locale()): string {
  return cached(
    `tod|${loc}|${timeZone ?? ''}`,
    () =>
      new Intl.DateTimeFormat(loc, {
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        timeZoneName: 'short',
        timeZone,
      }),
  ).format(new Date(iso));
}

/**
 * "4 Dec 2026, 04:06 UTC+1": a time written with its offset ("2026-12-04T04:06:30+01:00", the event's local time the
 * API gives, always ±HH:MM or Z), shown as the wall-clock time it names, whatever the reader's zone. Anything else
 * (another offset form, a date that does not exist) is shown as it is.
 */
export function formatWallClock(isoWithOffset: string, loc = locale()): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})$/.exec(
    isoWithOffset,
  );
  if (!match) return isoWithOffset;
  const [, wall, offset] = match as unknown as [string, string, string];
  // The wall-clock fields read as if they were UTC, then formatted in UTC: the same fields come back.
  const asUtc = new Date(`${wall}Z`);
  if (Number.isNaN(asUtc.getTime())) return isoWithOffset;
  const text = cached(
    `wall|${loc}`,
    () => new Intl.DateTimeFormat(loc, { ...DATE_TIME, timeZoneName: undefined, timeZone: 'UTC' }),
  ).format(asUtc);
  if (offset === 'Z' || offset.slice(1) === '00:00') return `${text} UTC`;
  const minutes = offset.slice(4);
  return `${text} UTC${offset[0]}${Number(offset.slice(1, 3))}${minutes === '00' ? '' : `:${minutes}`}`;
}

/** A ticket code's groups ("9J6TV-9JV4K-2P8N7-44ENP"), each with its hyphen, for a line to break only between them. */
export const codeGroups = (code: string): string[] => code.split(/(?<=-)/);

export function formatPercent(ratio: number, loc = locale()): string {
  return cached(
    `pct|${loc}`,
    () => new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 1 }),
  ).format(ratio);
}

/**
 * The UTC instant of a wall-clock time ("2026-03-14T20:00") in an IANA zone, for a form's datetime-local field.
 * Two passes settle DST edges: the offset is read at the guess, then at the corrected instant.
 */
export function zonedToUtc(local: string, timeZone: string): string {
  const asUtc = Date.parse(`${local}:00Z`);
  let instant = asUtc;
  for (let pass = 0; pass < 2; pass += 1) instant = asUtc - offsetMs(instant, timeZone);
  return new Date(instant).toISOString();
}

/** The wall-clock "YYYY-MM-DDTHH:mm" of a UTC instant in a zone (the inverse of zonedToUtc). */
export function utcToZoned(iso: string, timeZone: string): string {
  const instant = Date.parse(iso);
  return new Date(instant + offsetMs(instant, timeZone)).toISOString().slice(0, 16);
}

function offsetMs(instant: number, timeZone: string): number {
  const parts = cached(
    `parts|${timeZone}`,
    () =>
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
  ) as Intl.DateTimeFormat;
  const values: Record<string, number> = {};
  for (const part of parts.formatToParts(new Date(instant))) values[part.type] = Number(part.value);
  const wall = Date.UTC(
    values.year ?? 1970,
    (values.month ?? 1) - 1,
    values.day ?? 1,
    values.hour ?? 0,
    values.minute ?? 0,
    values.second ?? 0,
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * A date formatter for uPlot (its `fmtDate` option) in the reader's locale. uPlot writes time axes and legends from US
 * templates ("{h}:{mm}{aa}", "{M}/{D}/{YY}"), so a British organizer read 12/4/26 under the 4th of December's sales, which
 * in the UK is the 12th of April. Each line of a template becomes Intl's wording of the same parts (the date passed in
 * already holds the event's wall-clock time, see uPlot.tzDate, so it is formatted as local time).
 */
export function chartDateFormat(template: string, loc = locale()): (date: Date) => string {
  const lines = template.split('\n').map((line) => chartLineFormat(line, loc));
  return (date) => lines.map((format) => format(date)).join('\n');
}

function chartLineFormat(line: string, loc: string): (date: Date) => string {
  const has = (...tokens: string[]) => tokens.some((token) => line.includes(`{${token}}`));
  const parts: Intl.DateTimeFormatOptions = {};
  if (has('YYYY')) parts.year = 'numeric';
  else if (has('YY')) parts.year = '2-digit';
  if (has('MMMM', 'MMM')) parts.month = 'short';
  else if (has('MM', 'M')) parts.month = 'numeric';
  if (has('DD', 'D')) parts.day = 'numeric';
  if (has('HH', 'H', 'h')) parts.hour = twentyFourHour(loc) ? '2-digit' : 'numeric';
  // Minutes also go with an hour ("06:00", "6:00 AM"; alone a 24-hour locale writes a bare "06") and with seconds.
  if (has('HH', 'H', 'h', 'mm', 'ss')) parts.minute = '2-digit';
  if (has('ss')) parts.second = '2-digit';
  if (has('fff')) parts.fractionalSecondDigits = 3;
  if (Object.keys(parts).length === 0) return () => line;
  const format = cached(`chart|${loc}|${JSON.stringify(parts)}`, () => new Intl.DateTimeFormat(loc, parts));
  return (date) => format.format(date);
}

const twentyFourHour = (loc: string) =>
  ['h23', 'h24'].includes(
    cached(`hc|${loc}`, () => new Intl.DateTimeFormat(loc, { hour: 'numeric' })).resolvedOptions()
      .hourCycle ?? '',
  );
