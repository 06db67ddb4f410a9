// Users service: profiles. Its routes arrive with the accounts issue.
import { defineService } from '../../layers/common/manifest';

export const users = defineService({
  service: 'users',
  description: 'User profiles and profile pictures.',
  database: true,
  routes: {},
});
