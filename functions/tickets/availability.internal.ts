// tickets.availability: remaining capacity of several events at once, for the catalogue's event pages.
import { availabilityRequest } from '../../events/contracts/catalogue';
import { internalHandler } from '../../layers/common/internal';
import { realDeps } from './deps';
import type { TicketsDeps } from './model';

export function makeHandler(deps: TicketsDeps) {
  return internalHandler('tickets', availabilityRequest, ({ eventIds }) =>
    deps.inventory.readAvailabilityAndLapses(eventIds),
  );
}

export const handler = makeHandler(realDeps());
