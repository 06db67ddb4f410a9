// tickets.syncInventory: the events service sets up or changes an event's inventory (see the catalogue contract).
import { inventorySyncRequest } from '../../events/contracts/catalogue';
import { getPool } from '../../layers/common/db';
import { internalHandler } from '../../layers/common/internal';
import { syncInventory } from './inventory.store';

export const handler = internalHandler('tickets', inventorySyncRequest, async (request) =>
  syncInventory(await getPool('tickets'), request),
);
