// GET /.well-known/jwks.json: the current and the previous public signing key.
import { httpHandler, ok } from '../../layers/common/http';
import { keys } from './deps';
import { auth } from './manifest';

export const handler = httpHandler('auth', auth.routes.jwks, async () =>
  ok(await (await keys()()).jwks(), { 'cache-control': 'public, max-age=300' }),
);
