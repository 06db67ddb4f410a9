// Tickets service: inventory, orders and tickets. Its routes arrive with the purchasing issue.
import { defineService } from '../../layers/common/manifest';

export const tickets = defineService({
  service: 'tickets',
  description: 'Inventory per tier, purchases without overselling, orders, tickets and event history.',
  database: true,
  topics: ['ticket-events'],
  routes: {},
});
