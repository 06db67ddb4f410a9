// Platform service: health, the OpenAPI document and its docs page, and the problem+json catch-all for unknown routes.
import { defineService } from '../../layers/common/manifest';
import { healthResponse, problemResponse } from './schemas';

export const platform = defineService({
  service: 'platform',
  description: 'Health, API documentation and the catch-all for unknown routes.',
  database: false,
  routes: {
    health: {
      method: 'GET',
      path: '/v1/health',
      handler: 'health.ts',
      summary: 'Reports each dependency as up or degraded',
      auth: false,
      responses: {
        200: { description: 'The platform can serve', schema: healthResponse },
        503: { description: 'No database answers', schema: healthResponse },
      },
      binds: {
        pingDatabases: ['auth', 'users', 'events', 'tickets', 'notifications'],
        redis: true,
        bucket: 'read',
        logSearch: true,
      },
    },
    openapi: {
      method: 'GET',
      path: '/v1/openapi.json',
      handler: 'openapi.ts',
      summary: 'The OpenAPI 3.1 document of this API',
      auth: false,
      responses: { 200: { description: 'OpenAPI 3.1 document', contentType: 'application/json' } },
      memoryMb: 256,
    },
    docs: {
      method: 'GET',
      path: '/v1/docs',
      handler: 'docs.ts',
      summary: 'A page that renders the OpenAPI document',
      auth: false,
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
    },
    docsScript: {
      method: 'GET',
      path: '/v1/docs/redoc.js',
      handler: 'docs-script.ts',
      summary: "The docs page's renderer (Redoc's standalone bundle), served by the platform itself",
      auth: false,
      files: ['redoc/bundles/redoc.standalone.js'],
      responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
    },
    notFound: {
      method: 'GET',
      path: '$default',
      handler: 'not-found.ts',
      summary: 'Answers unknown routes and wrong methods with problem+json',
      auth: false,
      internal: true,
      responses: {
        404: { description: 'No such route', schema: problemResponse },
        405: { description: 'Route exists, method does not', schema: problemResponse },
      },
    },
  },
});
