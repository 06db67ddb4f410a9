// The organizer's rules, with tickets, the bucket and the cache replaced by in-memory stand-ins: inventory is set
// up before anything is published, a refusal by tickets changes nothing, cancellations are announced, and nobody
// reaches another organizer's event.
import { describe, expect, it } from 'vitest';
import {
  cancelEvent,
  createEvent,
  ImageNotAllowedError,
  publishEvent,
  updateEvent,
  viewOwnEvent,
} from '../../../functions/events/organizer';
import { type AppError, ConflictError, NotFoundError, ValidationError } from '../../../layers/common/errors';
import { eventBody as body, fakeDeps } from './fakes';

const ADA = '11111111-1111-4111-8111-111111111111';
const MALLORY = '22222222-2222-4222-8222-222222222222';

const errorOf = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a failure');
};

describe('creating an event', () => {
  it('stores a draft with generated ids and tells tickets nothing', async () => {
    const { deps, store, inventory } = fakeDeps();
    const view = await createEvent(deps, ADA, body());
    expect(view).toMatchObject({ status: 'draft', sold: 0, remaining: 100, publishedAt: null });
    expect(view.ticketTiers.map((tier) => tier.id)).toHaveLength(2);
    expect(store.events.get(view.id)?.organizerId).toBe(ADA);
    expect(inventory.calls).toEqual([]);
  });

  it('refuses the whole-event mistakes before storing anything', async () => {
    const { deps, store } = fakeDeps();
    const error = await errorOf(
      createEvent(deps, ADA, body({ capacity: 50, endsAt: '2030-02-01T18:00:00.000Z' })),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((entry) => entry.field)).toEqual(['endsAt', 'ticketTiers']);
    expect(store.events.size).toBe(0);
  });
});

describe('publishing', () => {
  it('sets up the inventory with the event snapshot first, then publishes and moves the catalogue on', async () => {
    const { deps, inventory, cache } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    const { view } = await publishEvent(deps, ADA, draft.id, 'corr-1');
    expect(view).toMatchObject({ status: 'published', remaining: 100, sold: 0 });
    expect(inventory.calls).toEqual([
      expect.objectContaining({
        eventId: draft.id,
        organizerId: ADA,
        status: 'on_sale',
        capacity: 100,
        event: {
          name: 'Jazz at the Sunset',
          startsAt: '2030-02-01T19:00:00.000Z',
          endsAt: '2030-02-01T22:00:00.000Z',
          timezone: 'Europe/Paris',
          place: 'Sunset, Paris, France',
        },
      }),
    ]);
    expect(cache.version_).toBe(1);
  });

  it('leaves the event a draft when tickets cannot set up sales', async () => {
    const { deps, store, inventory, cache } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    inventory.down = true;
    const error = await errorOf(publishEvent(deps, ADA, draft.id, 'corr'));
    expect(error.status).toBe(503);
    expect(store.events.get(draft.id)?.status).toBe('draft');
    expect(cache.version_).toBe(0);
  });

  it('refuses a cancelled event and one that has already started', async () => {
    const { deps, store } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    const started = {
      ...(store.events.get(draft.id) as NonNullable<ReturnType<typeof store.events.get>>),
      startsAt: '2029-12-31T00:00:00.000Z',
    };
    store.events.set(draft.id, started);
    expect(await errorOf(publishEvent(deps, ADA, draft.id, 'corr'))).toBeInstanceOf(ValidationError);
    await cancelEvent(deps, ADA, draft.id, undefined, 'corr');
    expect(await errorOf(publishEvent(deps, ADA, draft.id, 'corr'))).toBeInstanceOf(ConflictError);
  });
});

describe('changing a published event', () => {
  it('asks tickets first only when what tickets holds changes', async () => {
    const { deps, inventory, cache } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    await publishEvent(deps, ADA, draft.id, 'corr');
    await updateEvent(deps, ADA, draft.id, { description: 'Now with a singer.' }, 'corr');
    expect(inventory.calls).toHaveLength(1);
    expect(cache.version_).toBe(2);
    await updateEvent(deps, ADA, draft.id, { name: 'Jazz & voice' }, 'corr');
    expect(inventory.calls).toHaveLength(2);
    expect(inventory.calls[1]?.event.name).toBe('Jazz & voice');
  });

  it('passes tickets’ refusal on as it is and changes nothing', async () => {
    const { deps, store, inventory } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    await publishEvent(deps, ADA, draft.id, 'corr');
    const standard = inventory.inventories.get(draft.id)?.tiers[0];
    if (standard) standard.sold = 50;
    const before = structuredClone(store.events.get(draft.id));
    const [first, second] = draft.ticketTiers;
    const error = await errorOf(
      updateEvent(
        deps,
        ADA,
        draft.id,
        {
          ticketTiers: [
            { id: first?.id, name: 'Standard', price: 2500, currency: 'EUR', quantity: 30 },
            { id: second?.id, name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 },
          ],
        },
        'corr',
      ),
    );
    expect(error).toMatchObject({ status: 409, slug: 'below-sold' });
    expect(store.events.get(draft.id)).toEqual(before);
  });

  it('keeps tier ids, gives new tiers one, and refuses ids of no tier of this event', async () => {
    const { deps } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    const [first] = draft.ticketTiers;
    const { view } = await updateEvent(
      deps,
      ADA,
      draft.id,
      {
        ticketTiers: [
          { id: first?.id, name: 'Standard', price: 2500, currency: 'EUR', quantity: 60 },
          { name: 'Students', price: 1000, currency: 'EUR', quantity: 20 },
        ],
      },
      'corr',
    );
    expect(view.ticketTiers[0]?.id).toBe(first?.id);
    expect(view.ticketTiers[1]?.id).not.toBe(draft.ticketTiers[1]?.id);
    const error = await errorOf(
      updateEvent(
        deps,
        ADA,
        draft.id,
        { ticketTiers: [{ id: MALLORY, name: 'X', price: 1, currency: 'EUR', quantity: 1 }] },
        'corr',
      ),
    );
    expect((error as ValidationError).errors).toEqual([
      expect.objectContaining({ field: 'ticketTiers.0.id' }),
    ]);
  });

  it('attaches only finished uploads of this event that are images within the limits', async () => {
    const { deps, images } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    const key = (n: number) => `events/${draft.id}/images/00000000-0000-4000-8000-00000000000${n}`;
    images.objects.set(key(1), { contentType: 'image/png', sizeBytes: 100 });
    images.objects.set(key(2), { contentType: 'text/html', sizeBytes: 100 });
    images.objects.set(key(3), { contentType: 'image/jpeg', sizeBytes: 6 * 1024 * 1024 });
    const refused = await errorOf(
      updateEvent(deps, ADA, draft.id, { images: [key(1), key(2), key(3), key(4)] }, 'corr'),
    );
    expect(refused).toBeInstanceOf(ImageNotAllowedError);
    expect((refused as ImageNotAllowedError).errors.map((entry) => entry.field)).toEqual([
      'images.1',
      'images.2',
      'images.3',
    ]);
    const { view } = await updateEvent(deps, ADA, draft.id, { images: [key(1)] }, 'corr');
    expect(view.images).toEqual([{ key: key(1), url: `https://bucket.example/${key(1)}?signed` }]);
    await updateEvent(deps, ADA, draft.id, { images: [] }, 'corr');
    expect(images.removed).toEqual([key(1)]);
  });
});

describe('cancelling', () => {
  it('stops sales first, then announces EventCancelled with the change and relays it', async () => {
    const { deps, store, inventory, relayed } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    await publishEvent(deps, ADA, draft.id, 'corr');
    store.outbox.length = 0;
    const relayedBefore = relayed();
    const { view } = await cancelEvent(deps, ADA, draft.id, 'Storm warning', 'corr-9');
    expect(view).toMatchObject({ status: 'cancelled', cancelReason: 'Storm warning', remaining: 0 });
    expect(inventory.calls.at(-1)?.status).toBe('cancelled');
    expect(store.outbox).toEqual([
      expect.objectContaining({
        type: 'EventCancelled',
        version: 1,
        correlationId: 'corr-9',
        data: expect.objectContaining({ eventId: draft.id, organizerId: ADA, reason: 'Storm warning' }),
      }),
    ]);
    expect(relayed()).toBe(relayedBefore + 1);
    // Again: nothing new.
    await cancelEvent(deps, ADA, draft.id, undefined, 'corr');
    expect(store.outbox).toHaveLength(1);
  });

  it('cancels nothing when tickets cannot stop sales', async () => {
    const { deps, store, inventory } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    await publishEvent(deps, ADA, draft.id, 'corr');
    inventory.down = true;
    expect((await errorOf(cancelEvent(deps, ADA, draft.id, undefined, 'corr'))).status).toBe(503);
    expect(store.events.get(draft.id)?.status).toBe('published');
    expect(store.outbox.map((message) => message.type)).toEqual(['EventChanged']);
  });
});

describe('ownership', () => {
  it('answers 404 to another organizer, whatever they try', async () => {
    const { deps, store } = fakeDeps();
    const draft = await createEvent(deps, ADA, body());
    const attempts = [
      viewOwnEvent(deps, MALLORY, draft.id, 'corr'),
      updateEvent(deps, MALLORY, draft.id, { name: 'Mine' }, 'corr'),
      publishEvent(deps, MALLORY, draft.id, 'corr'),
      cancelEvent(deps, MALLORY, draft.id, undefined, 'corr'),
    ];
    for (const attempt of attempts) expect(await errorOf(attempt)).toBeInstanceOf(NotFoundError);
    expect(store.events.get(draft.id)?.status).toBe('draft');
  });
});
