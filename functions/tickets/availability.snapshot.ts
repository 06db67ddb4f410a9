// Availability read through the shared snapshot (events/contracts/availability-snapshot.ts): the snapshot when one
// is fresh, else the database, whose answer becomes the snapshot for the next SNAPSHOT_TTL_MS.
import { readSnapshots, writeSnapshots } from '../../events/contracts/availability-snapshot';
import type { EventAvailability } from '../../events/contracts/catalogue';
import { readyRedis } from '../../layers/common/redis';
import type { TicketsDeps } from './model';

export async function snapshotAvailability(
  deps: Pick<TicketsDeps, 'inventory'>,
  eventIds: readonly string[],
): Promise<EventAvailability[]> {
  const redis = await readyRedis();
  const found = await readSnapshots(redis, eventIds);
  const missing = eventIds.filter((id) => !found.has(id));
  if (missing.length > 0) {
    const readAt = Date.now();
    const loaded = await deps.inventory.readAvailability(missing);
    await writeSnapshots(redis, loaded, readAt);
    for (const event of loaded) found.set(event.eventId, event);
  }
  return eventIds.flatMap((id) => found.get(id) ?? []);
}
