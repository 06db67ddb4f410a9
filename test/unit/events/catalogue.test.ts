// The catalogue's read path with in-memory stand-ins: the cache in front of the database, the last good copy when
// the database is down, and availability shown as unknown (not an error) when tickets does not answer in time.
import { describe, expect, it } from 'vitest';
import { searchCatalogue, viewPublicEvent } from '../../../functions/events/catalogue';
import { DatabaseUnavailableError } from '../../../functions/events/model';
import { createEvent, publishEvent } from '../../../functions/events/organizer';
import { eventBody, fakeDeps } from './fakes';

const ADA = '11111111-1111-4111-8111-111111111111';
const body = eventBody({
  location: { onlineUrl: 'https://stream.example.com' },
  capacity: 10,
  ticketTiers: [{ name: 'Standard', price: 2500, currency: 'EUR', quantity: 10 }],
  tags: [],
});

async function withPublishedEvent() {
  const fakes = fakeDeps();
  const draft = await createEvent(fakes.deps, ADA, body);
  await publishEvent(fakes.deps, ADA, draft.id, 'corr');
  return { ...fakes, id: draft.id };
}

describe('the catalogue', () => {
  it('serves a page from the cache until the catalogue changes', async () => {
    const { deps, store, cache } = await withPublishedEvent();
    const first = await searchCatalogue(deps, {});
    expect(first.page.items).toHaveLength(1);
    store.events.clear();
    expect((await searchCatalogue(deps, {})).page.items).toHaveLength(1);
    await cache.bump();
    expect((await searchCatalogue(deps, {})).page.items).toHaveLength(0);
  });

  it('serves the last good page, marked degraded, while the database is down; and fails for a page never cached', async () => {
    const { deps, store, cache } = await withPublishedEvent();
    const warm = await searchCatalogue(deps, { limit: 5 });
    await cache.bump();
    store.down = true;
    const degraded = await searchCatalogue(deps, { limit: 5 });
    expect(degraded.page).toEqual(warm.page);
    expect(degraded.degraded).toEqual([expect.objectContaining({ reason: 'database-unavailable' })]);
    await expect(searchCatalogue(deps, { limit: 6 })).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });

  it('reads the database each time without a cache, and is not degraded for that', async () => {
    const { deps, cache } = await withPublishedEvent();
    cache.down = true;
    const result = await searchCatalogue(deps, {});
    expect(result.page.items).toHaveLength(1);
    expect(result.degraded).toEqual([]);
  });
});

describe('an event page', () => {
  it('shows remaining tickets from tickets, never cached', async () => {
    const { deps, inventory, id } = await withPublishedEvent();
    expect((await viewPublicEvent(deps, id, 'corr')).view.remaining).toBe(10);
    const tier = inventory.inventories.get(id)?.tiers[0];
    if (tier) {
      tier.sold = 3;
      tier.remaining = 7;
    }
    const inventoryEntry = inventory.inventories.get(id);
    if (inventoryEntry) inventoryEntry.remaining = 7;
    const { view } = await viewPublicEvent(deps, id, 'corr');
    expect(view.remaining).toBe(7);
    expect(view.ticketTiers[0]?.remaining).toBe(7);
  });

  it('marks remaining tickets unknown when tickets fails or is too slow, without failing', async () => {
    const { deps, inventory, id } = await withPublishedEvent();
    inventory.down = true;
    const failed = await viewPublicEvent(deps, id, 'corr');
    expect(failed.view.remaining).toBeNull();
    expect(failed.degraded).toEqual([expect.objectContaining({ reason: 'availability-unavailable' })]);

    inventory.down = false;
    const slow = {
      ...deps,
      inventory: { ...deps.inventory, availability: () => new Promise<never>(() => undefined) },
    };
    const started = Date.now();
    const timedOut = await viewPublicEvent(slow, id, 'corr');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(timedOut.view.ticketTiers[0]?.remaining).toBeNull();
  });

  it('does not show drafts', async () => {
    const { deps } = fakeDeps();
    const draft = await createEvent(deps, ADA, body);
    await expect(viewPublicEvent(deps, draft.id, 'corr')).rejects.toMatchObject({ status: 404 });
  });
});
