// What a change to an event amounts to: the fields the audit records (from and to), and the EventChanged message
// that tells notifications an event's details as they now stand, and whether its time or place moved.
import { CatalogueMessageTypes, type EventChangedV1 } from '../../events/contracts/catalogue';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { EventRecord } from './model';
import { placeLine } from './rules';

/** The fields an organizer describes; status and stamps are the audit's action and time, not changes. */
const AUDITED = [
  'name',
  'type',
  'description',
  'startsAt',
  'endsAt',
  'timezone',
  'location',
  'capacity',
  'tiers',
  'tags',
  'images',
  'holdMinutes',
  'refundUntilHoursBefore',
] as const satisfies readonly (keyof EventRecord)[];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `{ field: { from, to } }` for every described field that differs. */
export function auditChanges(before: EventRecord, after: EventRecord): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const field of AUDITED) {
    if (!same(before[field], after[field])) changes[field] = { from: before[field], to: after[field] };
  }
  return changes;
}

const DETAILS = ['name', 'startsAt', 'endsAt', 'timezone', 'location'] as const;

/**
 * EventChanged for a published event: on publication (`before` undefined, nothing moved), or when a detail an email
 * shows changed; none when nothing it carries changed.
 */
export function eventChanged(
  before: EventRecord | undefined,
  after: EventRecord,
  correlationId: string,
): Envelope[] {
  if (before && DETAILS.every((field) => same(before[field], after[field]))) return [];
  const changed: EventChangedV1['changed'] = [];
  if (before && (before.startsAt !== after.startsAt || before.endsAt !== after.endsAt)) changed.push('time');
  if (before && !same(before.location, after.location)) changed.push('place');
  const data: EventChangedV1 = {
    eventId: after.id,
    organizerId: after.organizerId,
    name: after.name,
    startsAt: after.startsAt,
    endsAt: after.endsAt,
    timezone: after.timezone,
    location: after.location,
    place: placeLine(after.location),
    changed,
    ...(before && changed.length > 0
      ? { previous: { startsAt: before.startsAt, place: placeLine(before.location) } }
      : {}),
    asOf: after.updatedAt,
  };
  const { type, version } = CatalogueMessageTypes.EventChanged;
  return [envelope('events', type, version, data, correlationId)];
}
