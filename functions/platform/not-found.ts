// API Gateway's $default route: an unknown path gets 404 and a known path with the wrong method gets 405 (with
// Allow), both as problem+json instead of API Gateway's bare {"message":"Not Found"}.
import { MethodNotAllowedError, NotFoundError } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { compileRoutes } from '../../layers/common/routes';
import { manifests } from '../manifests';
import { platform } from './manifest';

const table = compileRoutes(manifests);

export const handler = httpHandler('platform', platform.routes.notFound, async ({ event }) => {
  const method = event.requestContext.http.method;
  const found = table.match(method, event.rawPath);
  if (found && 'allowed' in found) throw new MethodNotAllowedError(method, found.allowed);
  throw new NotFoundError(
    `There is no route ${method} ${event.rawPath}. The API is described at /v1/openapi.json.`,
  );
});
