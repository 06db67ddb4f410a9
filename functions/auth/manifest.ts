// Auth service: credentials, OAuth 2.0 tokens and signing keys. Its routes arrive with the accounts issue.
import { defineService } from '../../layers/common/manifest';

export const auth = defineService({
  service: 'auth',
  description: 'Sign-up, OAuth 2.0 token endpoint, revocation, JWKS and authorization-server metadata.',
  database: true,
  topics: ['auth-events'],
  routes: {},
});
