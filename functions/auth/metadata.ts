// Authorization-server metadata (RFC 8414), served at the OAuth and the OpenID discovery paths alike.
import { httpHandler, ok } from '../../layers/common/http';
import { issuer } from './issuer';
import { auth } from './manifest';
import { MFA_OTP_GRANT } from './two-factor';

export const handler = httpHandler('auth', auth.routes.metadata, async () => {
  const { url } = issuer();
  return ok(
    {
      issuer: url,
      authorization_endpoint: `${url}/oauth/authorize`,
      token_endpoint: `${url}/v1/oauth/token`,
      revocation_endpoint: `${url}/v1/oauth/revoke`,
      jwks_uri: `${url}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'password', MFA_OTP_GRANT],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      prompt_values_supported: ['create'],
      // Public clients only: PKCE, not a secret, proves who redeems a code.
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
