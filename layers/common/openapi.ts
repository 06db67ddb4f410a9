// Builds the OpenAPI 3.1 document from the manifests; zod's own JSON Schema output (draft 2020-12) is what 3.1 uses.
import * as z from 'zod';
import type { ServiceManifest } from './manifest';

type JsonObject = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonObject => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
};

const OAUTH_SCOPES = { api: 'Everything the signed-in user may do through this API' };

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): JsonObject[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

export function buildOpenApi(
  manifests: readonly ServiceManifest[],
  info: { version: string; serverUrl?: string },
) {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const manifest of manifests) {
    for (const [name, route] of Object.entries(manifest.routes)) {
      if (route.internal) continue;
      const responses: Record<string, JsonObject> = {};
      for (const [status, response] of Object.entries(route.responses)) {
        const contentType = response.contentType ?? 'application/json';
        responses[status] = {
          description: response.description,
          ...(response.schema || response.contentType
            ? {
                content: {
                  [contentType]: response.schema ? { schema: toSchema(response.schema, 'output') } : {},
                },
              }
            : {}),
        };
      }
      if (route.request) responses['400'] ??= problem;
      if (route.auth) responses['401'] ??= problem;
      responses.default ??= problem;
      const operation: JsonObject = {
        operationId: `${manifest.service}.${name}`,
        summary: route.summary,
        tags: route.tags ?? [manifest.service],
        parameters: [
          ...parameters(route.request?.params, 'path'),
          ...parameters(route.request?.query, 'query'),
          ...parameters(route.request?.headers, 'header'),
        ],
        responses,
        ...(route.auth ? { security: [{ bearer: [] }] } : {}),
      };
      if (route.request?.body) {
        operation.requestBody = {
          required: true,
          content: {
            [route.request.contentType ?? 'application/json']: {
              schema: toSchema(route.request.body, 'input'),
            },
          },
        };
      }
      paths[route.path] ??= {};
      (paths[route.path] as Record<string, JsonObject>)[route.method.toLowerCase()] = operation;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TicketOrLeaveIt API',
      version: info.version,
      // The comment is Redoc's marker for where the security schemes (the OAuth flows) are rendered; other renderers
      // show nothing for it.
      description:
        'Event ticketing: accounts, events, tickets, notifications and organizer dashboards.\n\n' +
        '## Authentication\n\n<!-- ReDoc-Inject: <security-definitions> -->',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    tags: manifests.map((manifest) => ({ name: manifest.service, description: manifest.description })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        // How to get that bearer token: the auth service's flows (metadata at /.well-known/oauth-authorization-server).
        oauth2: {
          type: 'oauth2',
          description:
            'Public clients (client_id, no secret). Browser and native apps use the authorization code flow with ' +
            'PKCE (S256 only, state required; codes live 60 s and work once). The password flow stays for existing ' +
            'API consumers. Refresh tokens rotate on every use; a reused one revokes its whole sign-in. ' +
            'Sign out with POST /v1/oauth/revoke (RFC 7009).',
          flows: {
            authorizationCode: {
              authorizationUrl: '/oauth/authorize',
              tokenUrl: '/v1/oauth/token',
              refreshUrl: '/v1/oauth/token',
              scopes: OAUTH_SCOPES,
            },
            password: { tokenUrl: '/v1/oauth/token', refreshUrl: '/v1/oauth/token', scopes: OAUTH_SCOPES },
          },
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  in: { type: 'string' },
                  field: { type: 'string' },
                  message: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  };
}
