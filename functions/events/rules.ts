// The catalogue's pure rules: canonical time zones and currencies, tag normalisation, and the checks that need the
// whole event (end after start, start in the future, tiers within capacity and in one currency).
import type { FieldError } from '../../layers/common/errors';

export const EVENT_TYPES = [
  'concert',
  'conference',
  'workshop',
  'festival',
  'theatre',
  'comedy',
  'sports',
  'meetup',
  'exhibition',
  'other',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const LIMITS = {
  nameLength: 200,
  descriptionLength: 5000,
  tags: 10,
  tagLength: 30,
  tiers: 20,
  tierNameLength: 100,
  capacity: 1_000_000,
  /** A billion minor units: ten million euros for one ticket is a typo, not a price. */
  price: 1_000_000_000,
  images: 10,
  imageBytes: 5 * 1024 * 1024,
  cancelReasonLength: 500,
} as const;

/**
 * Checkout settings an organizer may choose: a hold long enough to type a card and short enough that abandoned
 * carts do not keep a sale's seats for long; refunds until at most 30 days before the start.
 */
export const CHECKOUT = {
  holdMinutes: { min: 5, max: 60, default: 15 },
  refundUntilHoursBefore: { max: 720, default: 0 },
} as const;

export const IMAGE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type ImageContentType = (typeof IMAGE_CONTENT_TYPES)[number];

const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

let zones: Map<string, string> | undefined;

/**
 * The IANA name of a time zone, spelled as the tz database spells it (e.g. "europe/paris" → "Europe/Paris"), or
 * undefined when it is none. A valid alias (Asia/Kolkata, US/Pacific) is kept as sent: ICU would rename some to
 * older names (Asia/Calcutta) that organizers do not expect to read back.
 */
export function canonicalTimeZone(name: string): string | undefined {
  // Intl also takes offsets such as "+01:00" on some versions: those are not IANA zones and follow no DST rules.
  if (!IANA_NAME.test(name)) return undefined;
  zones ??= new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]));
  const listed = zones.get(name.toLowerCase());
  if (listed) return listed;
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return undefined;
  }
}

let currencies: Set<string> | undefined;
/** ISO 4217 codes, as the runtime's ICU knows them. */
export function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

/** Trimmed, lower-case, inner spaces as single dashes. */
export const normalizeTag = (tag: string) => tag.trim().toLowerCase().replace(/\s+/g, '-');

/** Tags normalised and deduplicated, in their first order; empty ones dropped. */
export const normalizeTags = (tags: readonly string[]) => [
  ...new Set(tags.map(normalizeTag).filter((tag) => tag.length > 0)),
];

/** Tags may carry letters, digits and a little punctuation from any script, never a comma (the filter separator). */
export const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}\-_.+#&']*$/u;

export interface Tier {
  id: string;
  name: string;
  price: number;
  currency: string;
  quantity: number;
}

export interface VenueLocation {
  venue: string;
  address: string;
  city: string;
  country: string;
}
export interface OnlineLocation {
  onlineUrl: string;
}
export type Location = VenueLocation | OnlineLocation;

export const isOnline = (location: Location): location is OnlineLocation => 'onlineUrl' in location;

/** One line for tickets' order history and emails: "Venue, City, Country" or "Online". */
export const placeLine = (location: Location) =>
  isOnline(location) ? 'Online' : `${location.venue}, ${location.city}, ${location.country}`;

/** What the whole-event rules look at. */
export interface Schedule {
  startsAt: string;
  endsAt: string;
  capacity: number;
  tiers: readonly Pick<Tier, 'currency' | 'quantity'>[];
}

/**
 * The checks that span fields. `startChanged` says whether startsAt is being set now: an event already under way
 * may still have its description edited, but nobody may set a start in the past.
 */
export function scheduleViolations(event: Schedule, now: Date, startChanged: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const starts = Date.parse(event.startsAt);
  const ends = Date.parse(event.endsAt);
  if (startChanged && starts <= now.getTime()) {
    errors.push({ in: 'body', field: 'startsAt', message: 'Must be in the future.' });
  }
  if (ends <= starts) errors.push({ in: 'body', field: 'endsAt', message: 'Must be after startsAt.' });
  const total = event.tiers.reduce((sum, tier) => sum + tier.quantity, 0);
  if (total > event.capacity) {
    errors.push({
      in: 'body',
      field: 'ticketTiers',
      message: `The tiers hold ${total} tickets, more than the capacity of ${event.capacity}.`,
    });
  }
  const first = event.tiers[0]?.currency;
  event.tiers.forEach((tier, index) => {
    if (tier.currency !== first) {
      errors.push({
        in: 'body',
        field: `ticketTiers.${index}.currency`,
        message: `All tiers of an event share one currency (${first}).`,
      });
    }
  });
  return errors;
}
