// tickets.syncInventory: the events service sets up or changes an event's inventory (see the catalogue contract).
import { inventorySyncRequest } from '../../events/contracts/catalogue';
import { BadRequestError, ConflictError } from '../../layers/common/errors';
import { internalHandler } from '../../layers/common/internal';
import { realDeps } from './deps';
import type { SyncOutcome, TicketsDeps } from './model';

/** The one place a refused inventory change becomes the error the events service receives. */
function refusal(outcome: Exclude<SyncOutcome, { kind: 'synced' }>): Error {
  switch (outcome.kind) {
    case 'tiers-over-capacity':
      return new BadRequestError(
        `The tiers hold ${outcome.total} tickets, more than the capacity of ${outcome.capacity}.`,
        'tiers-over-capacity',
      );
    case 'event-cancelled':
      return new ConflictError('This event was cancelled; its sales cannot reopen.', 'event-cancelled');
    case 'tier-has-sales':
      return new ConflictError('A tier that has sold tickets cannot be removed.', 'tier-has-sales', {
        tiers: outcome.tiers,
      });
    case 'below-sold':
      return new ConflictError('A tier cannot hold fewer tickets than it has already sold.', 'below-sold', {
        tiers: outcome.tiers,
      });
    case 'tier-conflict':
      return new ConflictError(`Tier ${outcome.tierId} belongs to another event.`, 'tier-conflict');
  }
}

export function makeHandler(deps: TicketsDeps) {
  return internalHandler('tickets', inventorySyncRequest, async (request) => {
    const outcome = await deps.inventory.syncInventory(request);
    if (outcome.kind !== 'synced') throw refusal(outcome);
    // Capacity, tiers or status changed what is for sale: the public pages show it from their next read.
    await deps.snapshots.changed([request.eventId]);
    return outcome.availability;
  });
}

export const handler = makeHandler(realDeps());
