// tickets.syncInventory: the events service sets up or changes an event's inventory (see the catalogue contract).
import { inventorySyncRequest } from '../../events/contracts/catalogue';
import { internalHandler } from '../../layers/common/internal';
import { realDeps } from './deps';
import type { TicketsDeps } from './model';

export function makeHandler(deps: TicketsDeps) {
  return internalHandler('tickets', inventorySyncRequest, (request) => deps.inventory.syncInventory(request));
}

export const handler = makeHandler(realDeps());
