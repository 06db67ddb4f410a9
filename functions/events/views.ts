// How an event reads to the public (catalogue, event page) and to its organizer (with sales), and how a degraded
// answer says what is missing.
import type { EventAvailability } from '../../events/contracts/catalogue';
import type { EventRecord } from './model';

export const IMAGE_URL_TTL_SECONDS = 60 * 60;

export interface Degraded {
  reason: 'availability-unavailable' | 'database-unavailable';
  message: string;
}

export const AVAILABILITY_UNKNOWN: Degraded = {
  reason: 'availability-unavailable',
  message:
    'Remaining tickets are unknown right now (the ticketing service did not answer); try again shortly.',
};

export const FROM_LAST_CACHE: Degraded = {
  reason: 'database-unavailable',
  message: 'The catalogue is shown as it was last cached and may be out of date; try again shortly.',
};

/** The `x-degraded` header and the `degraded` body field of an answer that is missing something. */
export function degradedParts(degraded: Degraded[]): { headers: Record<string, string>; body: object } {
  if (degraded.length === 0) return { headers: {}, body: {} };
  const reason = degraded.map((entry) => entry.reason).join(', ');
  return {
    // A partial answer must not be kept by any cache on the way.
    headers: { 'x-degraded': reason, 'cache-control': 'no-store' },
    body: { degraded: { reason, message: degraded.map((entry) => entry.message).join(' ') } },
  };
}

function baseView(event: EventRecord) {
  return {
    id: event.id,
    status: event.status,
    name: event.name,
    type: event.type,
    description: event.description,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    timezone: event.timezone,
    location: event.location,
    capacity: event.capacity,
    tags: event.tags,
  };
}

const checkoutView = (event: EventRecord) => ({
  holdMinutes: event.holdMinutes,
  refundUntilHoursBefore: event.refundUntilHoursBefore,
});

/**
 * Availability as one of: what tickets said, `unknown` (tickets did not answer), or `none` (no inventory was ever set
 * up: a draft, or a draft that was cancelled).
 */
export type Sales =
  | { kind: 'known'; availability: EventAvailability }
  | { kind: 'unknown' }
  | { kind: 'none' };

export function publicEventView(event: EventRecord, sales: Sales, imageUrls: string[]) {
  const cancelled = event.status === 'cancelled';
  const tierRemaining = (tierId: string) => {
    if (cancelled) return 0;
    if (sales.kind !== 'known') return null;
    return sales.availability.tiers.find((tier) => tier.tierId === tierId)?.remaining ?? null;
  };
  const ticketTiers = event.tiers.map((tier) => ({ ...tier, remaining: tierRemaining(tier.id) }));
  return {
    ...baseView(event),
    ...checkoutView(event),
    ticketTiers,
    remaining: cancelled ? 0 : sales.kind === 'known' ? sales.availability.remaining : null,
    images: imageUrls.map((url) => ({ url })),
  };
}
export type PublicEventView = ReturnType<typeof publicEventView>;

export function organizerEventView(event: EventRecord, sales: Sales, imageUrls: string[]) {
  const quantity = event.tiers.reduce((sum, tier) => sum + tier.quantity, 0);
  const open = event.status !== 'cancelled';
  const tierSales = (tierId: string, tierQuantity: number) => {
    if (sales.kind === 'none') return { sold: 0, remaining: open ? tierQuantity : 0 };
    if (sales.kind === 'unknown') return { sold: null, remaining: null };
    const found = sales.availability.tiers.find((tier) => tier.tierId === tierId);
    return found ? { sold: found.sold, remaining: found.remaining } : { sold: null, remaining: null };
  };
  const totals =
    sales.kind === 'none'
      ? { sold: 0, remaining: open ? quantity : 0 }
      : sales.kind === 'unknown'
        ? { sold: null, remaining: null }
        : { sold: sales.availability.sold, remaining: sales.availability.remaining };
  return {
    ...baseView(event),
    ...checkoutView(event),
    ticketTiers: event.tiers.map((tier) => ({ ...tier, ...tierSales(tier.id, tier.quantity) })),
    ...totals,
    images: event.images.map((key, index) => ({ key, url: imageUrls[index] as string })),
    cancelReason: event.cancelReason,
    createdAt: event.createdAt,
    updatedAt: event.updatedAt,
    publishedAt: event.publishedAt,
    cancelledAt: event.cancelledAt,
  };
}
export type OrganizerEventView = ReturnType<typeof organizerEventView>;

/** One line of the catalogue, as cached: the image is a key, signed into a URL on the way out. */
export function catalogueEntry(event: EventRecord, rank: number | undefined) {
  const cheapest = event.tiers.reduce(
    (low, tier) => (tier.price < low.price ? tier : low),
    event.tiers[0] ?? { price: 0, currency: 'EUR' },
  );
  return {
    ...baseView(event),
    priceFrom: { price: cheapest.price, currency: cheapest.currency },
    imageKey: event.images[0] ?? null,
    ...(rank === undefined ? {} : { rank }),
  };
}
export type CatalogueEntry = ReturnType<typeof catalogueEntry>;
