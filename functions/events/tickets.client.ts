// The tickets service as the events service sees it: inventory set up and changed through tickets.syncInventory,
// availability read through tickets.availability (internal synchronous calls with retry and a circuit breaker). With
// Redis, public pages read availability through the shared snapshot (events/contracts/availability-snapshot.ts), so
// a refresh storm on an event page calls tickets once per event and change of its seats.
import { readThrough } from '../../events/contracts/availability-snapshot';
import type {
  AvailabilityAndLapses,
  EventAvailability,
  InventorySyncRequest,
} from '../../events/contracts/catalogue';
import { AppError } from '../../layers/common/errors';
import { invokeInternal } from '../../layers/common/internal';
import type { Redis } from '../../layers/common/redis';
import { type Inventory, InventoryUnavailableError } from './model';

export function ticketsInventory(redis: () => Promise<Redis | undefined> = async () => undefined): Inventory {
  return {
    async sync(request: InventorySyncRequest, correlationId: string) {
      let availability: EventAvailability;
      try {
        availability = await invokeInternal<EventAvailability>(
          'tickets.syncInventory',
          request,
          correlationId,
        );
      } catch (error) {
        // Tickets' own answers (409 below-sold, tier-has-sales...) reach the organizer as they are.
        if (error instanceof AppError) throw error;
        throw new InventoryUnavailableError();
      }
      // Tickets bumped the event's generation once the change committed: the next public read shows it.
      return availability;
    },

    async availability(eventIds: string[], correlationId: string, options: { shared?: boolean } = {}) {
      const client = options.shared ? await redis() : undefined;
      return readThrough(client, eventIds, async (missing) => {
        const fresh: EventAvailability[] = [];
        const lapses: Record<string, number> = {};
        // The contract takes 100 events per call.
        for (let start = 0; start < missing.length; start += 100) {
          const { events, lapsesAt } = await invokeInternal<AvailabilityAndLapses>(
            'tickets.availability',
            { eventIds: missing.slice(start, start + 100) },
            correlationId,
          ).catch((error: unknown) => {
            throw new InventoryUnavailableError(`Availability is unknown: ${(error as Error).message}`);
          });
          fresh.push(...events);
          Object.assign(lapses, lapsesAt);
        }
        return { events: fresh, lapsesAt: lapses };
      });
    },
  };
}
