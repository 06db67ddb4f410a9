// GET /v1/openapi.json: the OpenAPI 3.1 document, generated once per container from the manifests.
import { once } from '../../layers/common/config';
import { httpHandler, ok } from '../../layers/common/http';
import { buildOpenApi } from '../../layers/common/openapi';
import { manifests } from '../manifests';
import { platform } from './manifest';

const document = once(() => buildOpenApi(manifests, { version: '0.1.0' }));

export const handler = httpHandler('platform', platform.routes.openapi, async () =>
  ok(document(), { 'cache-control': 'public, max-age=300' }),
);
