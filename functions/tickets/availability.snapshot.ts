// Availability read through the shared snapshot (events/contracts/availability-snapshot.ts): the snapshot while the
// event's seats have not changed since it was read, else the database, whose answer becomes the snapshot.
import { readThrough } from '../../events/contracts/availability-snapshot';
import type { EventAvailability } from '../../events/contracts/catalogue';
import { readyRedis } from '../../layers/common/redis';
import type { TicketsDeps } from './model';

export async function snapshotAvailability(
  deps: Pick<TicketsDeps, 'inventory'>,
  eventIds: readonly string[],
): Promise<EventAvailability[]> {
  const found = await readThrough(await readyRedis(), eventIds, (missing) =>
    deps.inventory.readAvailabilityAndLapses(missing),
  );
  return eventIds.flatMap((id) => found.get(id) ?? []);
}
