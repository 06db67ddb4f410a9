// Roles on an event's team, with the stores in memory: a manager does everything but cancel, a check-in member
// neither sees nor changes the event, a stranger still gets 404; every change is audited, and a published event's
// new time or place goes out as EventChanged.
import { describe, expect, it } from 'vitest';
import {
  cancelEvent,
  createEvent,
  listOwnEvents,
  publishEvent,
  startImageUpload,
  updateEvent,
  viewOwnEvent,
} from '../../../functions/events/organizer';
import { eventAudit } from '../../../functions/events/team';
import type { AppError } from '../../../layers/common/errors';
import { eventBody as body, fakeDeps } from './fakes';

const ADA = '11111111-1111-4111-8111-111111111111';
const MANAGER = '33333333-3333-4333-8333-333333333333';
const SCANNER = '44444444-4444-4444-8444-444444444444';
const STRANGER = '55555555-5555-4555-8555-555555555555';

const statusOf = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    return (error as AppError).status;
  }
  return 200;
};

async function teamEvent() {
  const fake = fakeDeps();
  const draft = await createEvent(fake.deps, ADA, body());
  fake.store.members.push(
    { organizerId: ADA, eventId: null, userId: MANAGER, role: 'manager' },
    { organizerId: ADA, eventId: draft.id, userId: SCANNER, role: 'check-in' },
  );
  return { ...fake, id: draft.id };
}

describe('roles on an event', () => {
  it('lets a manager of all the organizer’s events see, change and publish one, but not cancel it', async () => {
    const { deps, id, store } = await teamEvent();
    expect(await statusOf(viewOwnEvent(deps, MANAGER, id, 'c'))).toBe(200);
    expect(await statusOf(updateEvent(deps, MANAGER, id, { name: 'Renamed' }, 'c'))).toBe(200);
    expect(await statusOf(startImageUpload(deps, MANAGER, id, 'image/png'))).toBe(200);
    expect(await statusOf(publishEvent(deps, MANAGER, id, 'c'))).toBe(200);
    expect(await statusOf(cancelEvent(deps, MANAGER, id, undefined, 'c'))).toBe(403);
    expect(store.events.get(id)).toMatchObject({ name: 'Renamed', status: 'published' });
    const { page } = await listOwnEvents(deps, MANAGER, {}, 'c');
    expect(page.items.map((event) => event.id)).toEqual([id]);
  });

  it('refuses a check-in member every organizer action with 403 and changes nothing', async () => {
    const { deps, id, store } = await teamEvent();
    const before = structuredClone(store.events.get(id));
    expect(await statusOf(viewOwnEvent(deps, SCANNER, id, 'c'))).toBe(403);
    expect(await statusOf(updateEvent(deps, SCANNER, id, { name: 'Hijacked' }, 'c'))).toBe(403);
    expect(await statusOf(startImageUpload(deps, SCANNER, id, 'image/png'))).toBe(403);
    expect(await statusOf(publishEvent(deps, SCANNER, id, 'c'))).toBe(403);
    expect(await statusOf(cancelEvent(deps, SCANNER, id, undefined, 'c'))).toBe(403);
    expect(await statusOf(eventAudit(deps, SCANNER, id, {}))).toBe(403);
    expect(store.events.get(id)).toEqual(before);
    expect((await listOwnEvents(deps, SCANNER, {}, 'c')).page.items).toEqual([]);
  });

  it('answers a stranger 404 everywhere, as before teams', async () => {
    const { deps, id } = await teamEvent();
    expect(await statusOf(viewOwnEvent(deps, STRANGER, id, 'c'))).toBe(404);
    expect(await statusOf(updateEvent(deps, STRANGER, id, { name: 'x' }, 'c'))).toBe(404);
    expect(await statusOf(cancelEvent(deps, STRANGER, id, undefined, 'c'))).toBe(404);
    expect(await statusOf(eventAudit(deps, STRANGER, id, {}))).toBe(404);
  });
});

describe('the audit and EventChanged', () => {
  it('records who created, changed, published and cancelled, with each changed field from and to', async () => {
    const { deps, id } = await teamEvent();
    await updateEvent(deps, MANAGER, id, { name: 'Renamed', capacity: 100 }, 'c');
    await publishEvent(deps, MANAGER, id, 'c');
    await cancelEvent(deps, ADA, id, 'Storm', 'c');
    const { items } = await eventAudit(deps, MANAGER, id, {});
    expect(items.map(({ actorId, action, changes }) => ({ actorId, action, changes }))).toEqual([
      { actorId: ADA, action: 'cancelled', changes: { reason: 'Storm' } },
      { actorId: MANAGER, action: 'published', changes: {} },
      {
        actorId: MANAGER,
        action: 'updated',
        changes: { name: { from: 'Jazz at the Sunset', to: 'Renamed' } },
      },
      { actorId: ADA, action: 'created', changes: {} },
    ]);
  });

  it('announces a published event’s new start and place with what moved and where it was', async () => {
    const { deps, id, store } = await teamEvent();
    const published = await publishEvent(deps, ADA, id, 'c');
    const oldStart = published.view.startsAt;
    const startsAt = new Date(Date.parse(oldStart) + 86_400_000).toISOString();
    const endsAt = new Date(Date.parse(published.view.endsAt) + 86_400_000).toISOString();
    await updateEvent(deps, ADA, id, { description: 'Only words' }, 'c');
    await updateEvent(
      deps,
      ADA,
      id,
      {
        startsAt,
        endsAt,
        location: {
          venue: 'New Morning',
          address: '7 rue des Petites Écuries',
          city: 'Paris',
          country: 'France',
        },
      },
      'c',
    );
    const changed = store.outbox.filter((message) => message.type === 'EventChanged');
    expect(changed.map((message) => (message.data as { changed: string[] }).changed)).toEqual([
      [],
      ['time', 'place'],
    ]);
    expect(changed[1]?.data).toMatchObject({
      startsAt,
      location: { venue: 'New Morning', address: '7 rue des Petites Écuries' },
      place: 'New Morning, Paris, France',
      previous: { startsAt: oldStart },
    });
  });
});
