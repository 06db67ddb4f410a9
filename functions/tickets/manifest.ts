// Tickets service: inventory per tier, purchases without overselling, orders, tickets and event history.
import { defineService } from '../../layers/common/manifest';

export const tickets = defineService({
  service: 'tickets',
  description: 'Inventory per tier, purchases without overselling, orders, tickets and event history.',
  database: true,
  topics: ['ticket-events'],
  routes: {},
  functions: {
    syncInventory: {
      handler: 'sync-inventory.internal.ts',
      summary: 'Sets up or changes the inventory of an event (called by the events service)',
      binds: { database: true },
    },
    availability: {
      handler: 'availability.internal.ts',
      summary: 'Remaining capacity per tier of up to 100 events (called by the events service)',
      binds: { database: true },
    },
  },
});
