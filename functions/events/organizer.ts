// An organizer's events: create drafts, change them, publish (inventory first, then the catalogue), cancel (sales
// stop at once, the cancellation is announced through the outbox), attach images, and see sales. The organizer and
// their team's managers reach an event (only the organizer cancels it); a check-in member gets 403, anyone else 404,
// as if it did not exist. Every change is kept in the event's audit.
import {
  CatalogueMessageTypes,
  type EventCancelledV1,
  type InventorySyncRequest,
} from '../../events/contracts/catalogue';
import {
  AppError,
  ConflictError,
  type FieldError,
  NotFoundError,
  ValidationError,
} from '../../layers/common/errors';
import { envelope } from '../../layers/common/messages';
import { salesOf } from './catalogue';
import { auditChanges, eventChanged } from './changes';
import { decodeOrganizerCursor, encodeOrganizerCursor } from './cursor';
import type { EventRecord, EventStatus, EventsDeps } from './model';
import type { CreateEventBody, UpdateEventBody } from './requests.schemas';
import {
  CHECKOUT,
  IMAGE_CONTENT_TYPES,
  type ImageContentType,
  LIMITS,
  placeLine,
  scheduleViolations,
  type Tier,
} from './rules';
import { type EventAction, requireRole } from './team';
import {
  AVAILABILITY_UNKNOWN,
  type Degraded,
  IMAGE_URL_TTL_SECONDS,
  organizerEventView,
  type Sales,
} from './views';

export const UPLOAD_TTL_SECONDS = 10 * 60;

/** An attached image key that does not hold an acceptable upload: 422 with one field error per image. */
export class ImageNotAllowedError extends AppError {
  constructor(readonly errors: FieldError[]) {
    super(
      422,
      'image-not-allowed',
      'Image not allowed',
      'An image is missing, of a type or size not allowed; see `errors`.',
      {
        errors,
      },
    );
  }
}

const notFound = () => new NotFoundError('You have no event with this id.');

/** The event if the user's role on it allows the action: 404 to a stranger, 403 to a member whose role does not. */
async function eventFor(deps: EventsDeps, id: string, userId: string, action: EventAction) {
  const found = await deps.store.findFor(id, userId);
  if (!found) throw notFound();
  requireRole(found.role, action);
  return found.event;
}
const cancelledConflict = () =>
  new ConflictError('This event is cancelled; it can no longer change.', 'event-cancelled');

export const imageKeyPrefix = (eventId: string) => `events/${eventId}/images/`;
const IMAGE_KEY =
  /^events\/([0-9a-f-]{36})\/images\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function failIf(errors: FieldError[]) {
  if (errors.length > 0) throw new ValidationError(errors);
}

/** What tickets keeps of an event: its inventory, and the snapshot orders carry. */
export function inventoryRequest(
  event: EventRecord,
  status: InventorySyncRequest['status'],
): InventorySyncRequest {
  return {
    eventId: event.id,
    organizerId: event.organizerId,
    status,
    capacity: event.capacity,
    event: {
      name: event.name,
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      timezone: event.timezone,
      place: placeLine(event.location),
    },
    tiers: event.tiers.map((tier) => ({
      tierId: tier.id,
      name: tier.name,
      price: tier.price,
      currency: tier.currency,
      quantity: tier.quantity,
    })),
    checkout: { holdMinutes: event.holdMinutes, refundUntilHoursBefore: event.refundUntilHoursBefore },
  };
}

/** Whether a change touches what tickets holds (inventory or snapshot), so tickets must agree to it first. */
export const touchesInventory = (before: EventRecord, after: EventRecord) =>
  JSON.stringify(inventoryRequest(before, 'on_sale')) !== JSON.stringify(inventoryRequest(after, 'on_sale'));

async function imageUrls(deps: EventsDeps, event: EventRecord) {
  return Promise.all(event.images.map((key) => deps.images.viewUrl(key, IMAGE_URL_TTL_SECONDS)));
}

async function ownView(deps: EventsDeps, event: EventRecord, sales: Sales) {
  return organizerEventView(event, sales, await imageUrls(deps, event));
}

export async function createEvent(deps: EventsDeps, organizerId: string, body: CreateEventBody) {
  const now = deps.now();
  const tiers: Tier[] = body.ticketTiers.map((tier) => ({ id: deps.newId(), ...tier }));
  failIf(scheduleViolations({ ...body, tiers }, now, true));
  const stamp = now.toISOString();
  const event: EventRecord = {
    id: deps.newId(),
    organizerId,
    status: 'draft',
    name: body.name,
    type: body.type,
    description: body.description ?? '',
    startsAt: body.startsAt,
    endsAt: body.endsAt,
    timezone: body.timezone,
    location: body.location,
    capacity: body.capacity,
    tiers,
    tags: body.tags ?? [],
    images: [],
    holdMinutes: body.holdMinutes ?? CHECKOUT.holdMinutes.default,
    refundUntilHoursBefore:
      body.refundUntilHoursBefore === undefined
        ? CHECKOUT.refundUntilHoursBefore.default
        : body.refundUntilHoursBefore,
    cancelReason: null,
    createdAt: stamp,
    updatedAt: stamp,
    publishedAt: null,
    cancelledAt: null,
  };
  await deps.store.insert(event, { action: 'created' });
  return ownView(deps, event, { kind: 'none' });
}

/** The tiers after a PATCH: listed tiers with an id keep it (and must be this event's), new ones get one. */
function changedTiers(
  deps: EventsDeps,
  current: EventRecord,
  tiers: NonNullable<UpdateEventBody['ticketTiers']>,
) {
  const known = new Set(current.tiers.map((tier) => tier.id));
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  const next = tiers.map((tier, index): Tier => {
    const { id, ...fields } = tier;
    if (id === undefined) return { id: deps.newId(), ...fields };
    if (!known.has(id)) {
      errors.push({
        in: 'body',
        field: `ticketTiers.${index}.id`,
        message: 'Not a tier of this event; leave id out for a new tier.',
      });
    } else if (seen.has(id)) {
      errors.push({ in: 'body', field: `ticketTiers.${index}.id`, message: 'This tier is listed twice.' });
    }
    seen.add(id);
    return { id, ...fields };
  });
  return { next, errors };
}

/** New image keys must be issued for this event and hold a finished upload of an allowed type and size. */
async function checkImages(deps: EventsDeps, event: EventRecord, keys: readonly string[]) {
  const shapeErrors: FieldError[] = [];
  keys.forEach((key, index) => {
    if (IMAGE_KEY.exec(key)?.[1] !== event.id) {
      shapeErrors.push({
        in: 'body',
        field: `images.${index}`,
        message: 'Not an image key issued for this event; get one from POST /v1/events/{id}/images.',
      });
    } else if (keys.indexOf(key) !== index) {
      shapeErrors.push({ in: 'body', field: `images.${index}`, message: 'This image is listed twice.' });
    }
  });
  failIf(shapeErrors);
  const attached = new Set(event.images);
  const problems = await Promise.all(
    keys.map(async (key, index): Promise<FieldError | undefined> => {
      if (attached.has(key)) return undefined;
      const field = `images.${index}`;
      const stored = await deps.images.inspect(key);
      if (!stored) return { in: 'body', field, message: 'Nothing has been uploaded under this key yet.' };
      const type = stored.contentType?.split(';')[0]?.trim().toLowerCase();
      if (!IMAGE_CONTENT_TYPES.includes(type as ImageContentType)) {
        return {
          in: 'body',
          field,
          message: `An image must be one of ${IMAGE_CONTENT_TYPES.join(', ')}; this one is ${type ?? 'untyped'}.`,
        };
      }
      const size = stored.sizeBytes ?? 0;
      if (size < 1 || size > LIMITS.imageBytes) {
        return {
          in: 'body',
          field,
          message: `An image must be between 1 byte and ${LIMITS.imageBytes} bytes (5 MB); this one is ${size} bytes.`,
        };
      }
      return undefined;
    }),
  );
  const errors = problems.filter((problem): problem is FieldError => problem !== undefined);
  if (errors.length > 0) throw new ImageNotAllowedError(errors);
}

/**
 * Applies a PATCH. On a published event, a change to what tickets holds is agreed with tickets first, with the
 * event locked: tickets' refusal (409 below-sold, tier-has-sales) is the organizer's answer and nothing changes.
 */
export async function updateEvent(
  deps: EventsDeps,
  userId: string,
  id: string,
  body: UpdateEventBody,
  correlationId: string,
) {
  let synced: Sales | undefined;
  const result = await deps.store.change(id, userId, async (current, role) => {
    requireRole(role, 'edit');
    if (current.status === 'cancelled') throw cancelledConflict();
    const now = deps.now();
    const tiers = body.ticketTiers
      ? changedTiers(deps, current, body.ticketTiers)
      : { next: current.tiers, errors: [] };
    const next: EventRecord = {
      ...current,
      name: body.name ?? current.name,
      type: body.type ?? current.type,
      description: body.description ?? current.description,
      startsAt: body.startsAt ?? current.startsAt,
      endsAt: body.endsAt ?? current.endsAt,
      timezone: body.timezone ?? current.timezone,
      location: body.location ?? current.location,
      capacity: body.capacity ?? current.capacity,
      tiers: tiers.next,
      tags: body.tags ?? current.tags,
      images: body.images ?? current.images,
      holdMinutes: body.holdMinutes ?? current.holdMinutes,
      refundUntilHoursBefore:
        body.refundUntilHoursBefore === undefined
          ? current.refundUntilHoursBefore
          : body.refundUntilHoursBefore,
      updatedAt: now.toISOString(),
    };
    failIf([...tiers.errors, ...scheduleViolations(next, now, next.startsAt !== current.startsAt)]);
    if (body.images) await checkImages(deps, current, body.images);
    if (current.status === 'published' && touchesInventory(current, next)) {
      synced = {
        kind: 'known',
        availability: await deps.inventory.sync(inventoryRequest(next, 'on_sale'), correlationId),
      };
    }
    const changes = auditChanges(current, next);
    return {
      next,
      messages: current.status === 'published' ? eventChanged(current, next, correlationId) : [],
      audit: Object.keys(changes).length > 0 ? { action: 'updated', changes } : undefined,
    };
  });
  if (!result) throw notFound();
  const { before, after } = result;
  if (before.status === 'published') {
    await deps.relay();
    await deps.cache.bump();
  }
  await removeDetached(deps, before.images, after.images);
  const sales = synced ?? (await salesOf(deps, [after], correlationId)).get(after.id) ?? { kind: 'unknown' };
  return withDegraded(await ownView(deps, after, sales), sales);
}

/** Images no longer attached are removed from the bucket; a failure leaves an orphan object, never a broken event. */
async function removeDetached(deps: EventsDeps, before: readonly string[], after: readonly string[]) {
  const kept = new Set(after);
  await Promise.all(
    before
      .filter((key) => !kept.has(key))
      .map((key) =>
        deps.images
          .remove(key)
          .catch((error: unknown) =>
            deps.warn('detached image not removed', { key, error: (error as Error).message }),
          ),
      ),
  );
}

function withDegraded<T extends object>(view: T, sales: Sales): { view: T; degraded: Degraded[] } {
  return { view, degraded: sales.kind === 'unknown' ? [AVAILABILITY_UNKNOWN] : [] };
}

/**
 * Opens sales: tickets sets up the inventory first, and only once it has does the event become published, so no
 * event is ever on sale without inventory. Publishing a published event changes nothing.
 */
export async function publishEvent(deps: EventsDeps, userId: string, id: string, correlationId: string) {
  let synced: Sales | undefined;
  const result = await deps.store.change(id, userId, async (current, role) => {
    requireRole(role, 'edit');
    if (current.status === 'published') return null;
    if (current.status === 'cancelled') throw cancelledConflict();
    const now = deps.now();
    if (Date.parse(current.startsAt) <= now.getTime()) {
      throw new ValidationError(
        [{ in: 'body', field: 'startsAt', message: 'Must be in the future to publish; change it first.' }],
        'This event has already started and cannot go on sale.',
      );
    }
    synced = {
      kind: 'known',
      availability: await deps.inventory.sync(inventoryRequest(current, 'on_sale'), correlationId),
    };
    const stamp = now.toISOString();
    const next: EventRecord = { ...current, status: 'published', publishedAt: stamp, updatedAt: stamp };
    return { next, messages: eventChanged(undefined, next, correlationId), audit: { action: 'published' } };
  });
  if (!result) throw notFound();
  if (result.before.status !== 'published') {
    await deps.relay();
    await deps.cache.bump();
  }
  const sales = synced ?? (await salesOf(deps, [result.after], correlationId)).get(id) ?? { kind: 'unknown' };
  return withDegraded(await ownView(deps, result.after, sales), sales);
}

/**
 * Cancels an event. A published one stops selling at once (tickets closes its inventory first), and EventCancelled
 * commits with the change through the outbox, for tickets to refund and notifications to tell the buyers.
 * A draft goes through the same steps: normally nothing was sold, but a publish whose own commit failed after
 * tickets opened sales may have left inventory behind, and this closes it. Cancelling again changes nothing.
 */
export async function cancelEvent(
  deps: EventsDeps,
  userId: string,
  id: string,
  reason: string | undefined,
  correlationId: string,
) {
  let synced: Sales | undefined;
  const result = await deps.store.change(id, userId, async (current, role) => {
    requireRole(role, 'cancel');
    if (current.status === 'cancelled') return null;
    const stamp = deps.now().toISOString();
    const next: EventRecord = {
      ...current,
      status: 'cancelled',
      cancelReason: reason ?? null,
      cancelledAt: stamp,
      updatedAt: stamp,
    };
    synced = {
      kind: 'known',
      availability: await deps.inventory.sync(inventoryRequest(current, 'cancelled'), correlationId),
    };
    const { type, version } = CatalogueMessageTypes.EventCancelled;
    const data: EventCancelledV1 = {
      eventId: current.id,
      organizerId: current.organizerId,
      name: current.name,
      startsAt: current.startsAt,
      timezone: current.timezone,
      ...(reason ? { reason } : {}),
    };
    return {
      next,
      messages: [envelope('events', type, version, data, correlationId)],
      audit: { action: 'cancelled', changes: reason ? { reason } : {} },
    };
  });
  if (!result) throw notFound();
  if (result.before.status === 'published') {
    await deps.relay();
    await deps.cache.bump();
  }
  const sales = synced ?? (await salesOf(deps, [result.after], correlationId)).get(id) ?? { kind: 'unknown' };
  return withDegraded(await ownView(deps, result.after, sales), sales);
}

/** A one-time upload form for a new image of the organizer's event, under a fresh key of that event. */
export async function startImageUpload(
  deps: EventsDeps,
  userId: string,
  id: string,
  contentType: ImageContentType,
) {
  const event = await eventFor(deps, id, userId, 'edit');
  if (event.status === 'cancelled') throw cancelledConflict();
  if (event.images.length >= LIMITS.images) {
    throw new ConflictError(
      `An event shows at most ${LIMITS.images} images; remove one (PATCH images) before adding another.`,
      'too-many-images',
    );
  }
  const key = `${imageKeyPrefix(id)}${deps.newId()}`;
  const { url, fields } = await deps.images.presignUpload({
    key,
    contentType,
    maxBytes: LIMITS.imageBytes,
    expiresInSeconds: UPLOAD_TTL_SECONDS,
  });
  const expiresAt = new Date(deps.now().getTime() + UPLOAD_TTL_SECONDS * 1000).toISOString();
  return { uploadUrl: url, fields, key, expiresAt, maxBytes: LIMITS.imageBytes };
}

/** One of the organizer's own (or managed) events, drafts included, with sales per tier. */
export async function viewOwnEvent(deps: EventsDeps, userId: string, id: string, correlationId: string) {
  const event = await eventFor(deps, id, userId, 'view');
  const sales = (await salesOf(deps, [event], correlationId)).get(id) ?? { kind: 'unknown' };
  return withDegraded(await ownView(deps, event, sales), sales);
}

/** The events the user organizes or manages, newest first, with sales; one call to tickets per page. */
export async function listOwnEvents(
  deps: EventsDeps,
  organizerId: string,
  query: { status?: EventStatus; limit?: number; cursor?: string },
  correlationId: string,
) {
  const limit = query.limit ?? 20;
  const after = query.cursor ? decodeOrganizerCursor(query.cursor) : undefined;
  const rows = await deps.store.listOwn(organizerId, { status: query.status, limit: limit + 1, after });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const sales = await salesOf(deps, page, correlationId);
  const items = await Promise.all(
    page.map((event) => ownView(deps, event, sales.get(event.id) ?? { kind: 'unknown' })),
  );
  const unknown = [...sales.values()].some((entry) => entry.kind === 'unknown');
  return {
    page: {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeOrganizerCursor({ createdAt: last.createdAt, id: last.id })
          : null,
    },
    degraded: unknown ? [AVAILABILITY_UNKNOWN] : [],
  };
}
