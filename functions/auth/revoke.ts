// POST /v1/oauth/revoke (RFC 7009): 200 whether or not the token was known, so it reveals nothing.
import { httpHandler } from '../../layers/common/http';
import { server, sessionOfAccessToken } from './deps';
import { auth } from './manifest';

export const handler = httpHandler(
  'auth',
  auth.routes.revoke,
  async ({ body }) => {
    await (await server()()).revoke(body, sessionOfAccessToken);
    return { statusCode: 200, headers: { 'cache-control': 'no-store' } };
  },
  { oauthErrors: true },
);
