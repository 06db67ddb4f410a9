// Authorization-server metadata (RFC 8414), served at the OAuth and the OpenID discovery paths alike.
import { httpHandler, ok } from '../../layers/common/http';
import { issuer } from './issuer';
import { auth } from './manifest';

export const handler = httpHandler('auth', auth.routes.metadata, async () => {
  const { url } = issuer();
  return ok(
    {
      issuer: url,
      token_endpoint: `${url}/v1/oauth/token`,
      revocation_endpoint: `${url}/v1/oauth/revoke`,
      jwks_uri: `${url}/.well-known/jwks.json`,
      grant_types_supported: ['password', 'refresh_token'],
      // No authorization endpoint: first-party clients use the password grant (RFC 8414 still asks for the list).
      response_types_supported: [],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['api'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      service_documentation: `${url}/v1/docs`,
    },
    { 'cache-control': 'public, max-age=300' },
  );
});
