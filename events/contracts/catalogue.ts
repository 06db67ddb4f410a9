// The contract between the events service (the catalogue) and the tickets service (inventory and orders):
// synchronous internal calls for inventory, and messages on the `catalogue-events` topic.
import * as z from 'zod';

export const CATALOGUE_EVENTS_TOPIC = 'catalogue-events';

/** What tickets keeps of an event on every order, so event history needs no call to events. */
export const eventSnapshot = z.object({
  name: z.string().min(1).max(200),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  /** IANA time zone of the event, e.g. Europe/Paris. */
  timezone: z.string().min(1).max(64),
  /** One line for emails and history: "Venue, City, Country" or "Online". */
  place: z.string().min(1).max(500),
});
export type EventSnapshot = z.infer<typeof eventSnapshot>;

export const inventoryTier = z.object({
  tierId: z.uuid(),
  name: z.string().min(1).max(100),
  /** Minor units of `currency`. */
  price: z.number().int().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/),
  quantity: z.number().int().positive(),
});

/**
 * An event's checkout settings, as its organizer set them: how long a paid order holds its seats, and until how many
 * hours before the start an attendee's cancellation is refunded (null: a paid order is not refundable by the
 * attendee; the organizer can still cancel and refund it).
 */
export const checkoutSettings = z.object({
  holdMinutes: z.number().int().positive(),
  refundUntilHoursBefore: z.number().int().min(0).nullable(),
});
export type CheckoutSettings = z.infer<typeof checkoutSettings>;

/**
 * tickets.syncInventory: creates or updates an event's inventory. Idempotent (the same request twice changes nothing).
 * `status: 'on_sale'` opens sales, `'cancelled'` stops them for good. Tiers missing from the list are removed, which
 * tickets refuses (409 `tier-has-sales`) when one was sold; a quantity or capacity below what is sold is refused
 * (409 `below-sold`) and nothing changes.
 */
export const inventorySyncRequest = z.object({
  eventId: z.uuid(),
  organizerId: z.uuid(),
  status: z.enum(['on_sale', 'cancelled']),
  capacity: z.number().int().positive(),
  event: eventSnapshot,
  tiers: z.array(inventoryTier).min(1).max(20),
  /** Absent: tickets keeps the settings it has (15 minutes and refunds until the start for a new event). */
  checkout: checkoutSettings.optional(),
});
export type InventorySyncRequest = z.infer<typeof inventorySyncRequest>;

export const tierAvailability = z.object({
  tierId: z.uuid(),
  name: z.string(),
  price: z.number().int(),
  currency: z.string(),
  quantity: z.number().int(),
  sold: z.number().int(),
  remaining: z.number().int(),
});

export const eventAvailability = z.object({
  eventId: z.uuid(),
  status: z.enum(['on_sale', 'cancelled']),
  capacity: z.number().int(),
  sold: z.number().int(),
  remaining: z.number().int(),
  tiers: z.array(tierAvailability),
});
export type EventAvailability = z.infer<typeof eventAvailability>;

/** tickets.syncInventory answers the inventory as it now stands. */
export const inventorySyncResponse = eventAvailability;

/**
 * tickets.availability: remaining capacity of up to 100 events; events without inventory are absent. `lapsesAt`:
 * for each event with seats held for payment, when the first of those holds lapses (epoch ms): its seats then count
 * as free without any write, so a copy of the answer is current until then at most.
 */
export const availabilityRequest = z.object({ eventIds: z.array(z.uuid()).min(1).max(100) });
export const availabilityResponse = z.object({
  events: z.array(eventAvailability),
  lapsesAt: z.record(z.uuid(), z.number().int()).optional(),
});
export type AvailabilityAndLapses = z.infer<typeof availabilityResponse>;

/** Published by events when an event is cancelled: tickets cancels and refunds every order of it. */
export const eventCancelledV1 = z.object({
  eventId: z.uuid(),
  organizerId: z.uuid(),
  name: z.string(),
  startsAt: z.iso.datetime({ offset: true }),
  timezone: z.string(),
  reason: z.string().max(500).optional(),
});
export type EventCancelledV1 = z.infer<typeof eventCancelledV1>;

/** A team member's role on an organizer's events: `manager` does everything but delete, `check-in` only scans. */
export const teamRole = z.enum(['manager', 'check-in']);
export type TeamRole = z.infer<typeof teamRole>;

/**
 * Published by events whenever a team changes (invitation accepted, role changed, member revoked). `members` is the
 * FULL list for the scope (one event, or all the organizer's events when `eventId` is null), so applying it replaces
 * what the consumer holds; it is idempotent, and a message older than the one applied (`asOf`) changes nothing.
 */
export const eventTeamChangedV1 = z.object({
  organizerId: z.uuid(),
  eventId: z.uuid().nullable(),
  members: z.array(z.object({ userId: z.uuid(), role: teamRole })).max(1000),
  asOf: z.iso.datetime({ offset: true }),
});
export type EventTeamChangedV1 = z.infer<typeof eventTeamChangedV1>;

/** Where an event takes place: a venue with its street address, or online with the link to join. */
export const eventLocation = z.union([
  z.object({ venue: z.string(), address: z.string(), city: z.string(), country: z.string() }),
  z.object({ onlineUrl: z.url() }),
]);

/**
 * Published by events when an event goes on sale and whenever a published event's details change: the event as it
 * now stands (newest `asOf` wins). `changed` names what moved since the last message: `time` (start or end) and
 * `place`, which notifications tells every holder about and re-times reminders from; empty on publication.
 */
export const eventChangedV1 = z.object({
  eventId: z.uuid(),
  organizerId: z.uuid(),
  name: z.string(),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  timezone: z.string(),
  location: eventLocation,
  /** The one-line place of the event snapshot ("Venue, City, Country" or "Online"). */
  place: z.string(),
  changed: z.array(z.enum(['time', 'place'])),
  /** Where and when it was before, when `changed` is not empty. */
  previous: z.object({ startsAt: z.iso.datetime({ offset: true }), place: z.string() }).optional(),
  asOf: z.iso.datetime({ offset: true }),
});
export type EventChangedV1 = z.infer<typeof eventChangedV1>;

export const CatalogueMessageTypes = {
  EventCancelled: { type: 'EventCancelled', version: 1, schema: eventCancelledV1 },
  EventTeamChanged: { type: 'EventTeamChanged', version: 1, schema: eventTeamChangedV1 },
  EventChanged: { type: 'EventChanged', version: 1, schema: eventChangedV1 },
} as const;
