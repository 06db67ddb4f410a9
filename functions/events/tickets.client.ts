// The tickets service as the events service sees it: inventory set up and changed through tickets.syncInventory,
// availability read through tickets.availability (internal synchronous calls with retry and a circuit breaker).
import type { EventAvailability, InventorySyncRequest } from '../../events/contracts/catalogue';
import { AppError } from '../../layers/common/errors';
import { invokeInternal } from '../../layers/common/internal';
import { type Inventory, InventoryUnavailableError } from './model';

export function ticketsInventory(): Inventory {
  return {
    async sync(request: InventorySyncRequest, correlationId: string) {
      try {
        return await invokeInternal<EventAvailability>('tickets.syncInventory', request, correlationId);
      } catch (error) {
        // Tickets' own answers (409 below-sold, tier-has-sales...) reach the organizer as they are.
        if (error instanceof AppError) throw error;
        throw new InventoryUnavailableError();
      }
    },

    async availability(eventIds: string[], correlationId: string) {
      const found = new Map<string, EventAvailability>();
      // The contract takes 100 events per call.
      for (let start = 0; start < eventIds.length; start += 100) {
        const { events } = await invokeInternal<{ events: EventAvailability[] }>(
          'tickets.availability',
          { eventIds: eventIds.slice(start, start + 100) },
          correlationId,
        ).catch((error: unknown) => {
          throw new InventoryUnavailableError(`Availability is unknown: ${(error as Error).message}`);
        });
        for (const event of events) found.set(event.eventId, event);
      }
      return found;
    },
  };
}
