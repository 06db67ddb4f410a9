// Notifications service: confirmation, cancellation and reminder emails. Its consumers arrive with the notifications issue.
import { defineService } from '../../layers/common/manifest';

export const notifications = defineService({
  service: 'notifications',
  description: 'Purchase confirmations, cancellations and event reminders by email.',
  database: true,
  routes: {},
});
