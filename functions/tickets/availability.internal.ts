// tickets.availability: remaining capacity of several events at once, for the catalogue's event pages.
import { availabilityRequest } from '../../events/contracts/catalogue';
import { getPool } from '../../layers/common/db';
import { internalHandler } from '../../layers/common/internal';
import { readAvailability } from './inventory.store';

export const handler = internalHandler('tickets', availabilityRequest, async ({ eventIds }) => ({
  events: await readAvailability(await getPool('tickets'), eventIds),
}));
