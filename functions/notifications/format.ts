// Formatting for emails: HTML escaping, instants in the event's own time zone, and money from minor units.
export const LOCALE = 'en-GB';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** One line of header-safe text: control characters (CR/LF included) become spaces. */
export function oneLine(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

// Building an Intl formatter costs far more than using one: keep one per time zone and per currency.
const dateTimeFormats = new Map<string, { format: Intl.DateTimeFormat; timeZone: string }>();
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

function dateTimeFormat(timeZone: string): { format: Intl.DateTimeFormat; timeZone: string } {
  let cached = dateTimeFormats.get(timeZone);
  if (!cached) {
    cached = newDateTimeFormat(timeZone);
    dateTimeFormats.set(timeZone, cached);
  }
  return cached;
}

function newDateTimeFormat(timeZone: string): { format: Intl.DateTimeFormat; timeZone: string } {
  const options: Intl.DateTimeFormatOptions = {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  };
  try {
    return { format: new Intl.DateTimeFormat(LOCALE, { ...options, timeZone }), timeZone };
  } catch {
    // An unknown zone must not keep the buyer from their email: show UTC, and say so.
    return { format: new Intl.DateTimeFormat(LOCALE, { ...options, timeZone: 'UTC' }), timeZone: 'UTC' };
  }
}

/**
 * An instant as the people at the event read it, e.g. "Friday 1 January 2027 at 08:30 GMT+9 (Asia/Tokyo)".
 * (dateStyle cannot be combined with timeZoneName, hence the explicit fields.)
 */
export function formatEventTime(instant: string | Date, timeZone: string): string {
  const { format, timeZone: zone } = dateTimeFormat(timeZone);
  return `${format.format(new Date(instant))} (${zone})`;
}

/** Start and end in the event's zone; a same-day end shows only its time. */
export function formatEventSpan(startsAt: string | Date, endsAt: string | Date, timeZone: string): string {
  const { format, timeZone: zone } = dateTimeFormat(timeZone);
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  if (!(end > start)) return `${format.format(start)} (${zone})`;
  return `${format.formatRange(start, end)} (${zone})`;
}

/** Minor units of an ISO 4217 currency as money, honouring its number of decimals (JPY 0, EUR 2, KWD 3). */
export function formatMoney(minor: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
    } catch {
      format = null;
    }
    moneyFormats.set(currency, format);
  }
  if (format === null) return `${minor} ${currency} (minor units)`;
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}
