// Builds the OpenAPI 3.1 document from the manifests; zod's own JSON Schema output (draft 2020-12) is what 3.1 uses.
import * as z from 'zod';
import type { RouteSpec, ServiceManifest } from './manifest';

type JsonObject = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonObject => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return portablePatterns(rest) as JsonObject;
};

// Unicode property escapes need ECMAScript's u flag, which many JSON Schema tools (Python's re, used by fuzzers and
// generators) lack; "control character" is spelt out as the code points it stands for (Unicode's Cc).
const CONTROL = '\\x00-\\x1f\\x7f-\\x9f';
const portablePattern = (pattern: string) =>
  pattern.replaceAll('[^\\p{Cc}]', `[^${CONTROL}]`).replaceAll('\\p{Cc}', `[${CONTROL}]`);

function portablePatterns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(portablePatterns);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === 'pattern' && typeof inner === 'string' ? portablePattern(inner) : portablePatterns(inner),
    ]),
  );
}

const OAUTH_SCOPES = { api: 'Everything the signed-in user may do through this API' };

const PROBLEM_JSON = 'application/problem+json';
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const problem = {
  description: 'Problem details (RFC 9457)',
  content: { [PROBLEM_JSON]: { schema: PROBLEM_REF } },
};

const isProblemShaped = (schema: JsonObject) => {
  const required = (schema.required ?? []) as string[];
  return ['type', 'title', 'status'].every((member) => required.includes(member));
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

/** Binds that reach a dependency at run time: an outage of one is answered 503 (problem+json) by the wrapper. */
const DEPENDENCY_BINDS = [
  'database',
  'pingDatabases',
  'bucket',
  'redis',
  'payments',
  'invokes',
  'logSearch',
] as const;

/**
 * The answers the HTTP wrapper itself gives, whatever the handler does: 400 for a request that fails its schemas,
 * 401 without a valid token (the gateway's authorizer), 413 and 415 for a body too large or of another media type,
 * 503 when a dependency is down. Each is problem+json.
 */
function wrapperStatuses(route: RouteSpec): Record<number, string> {
  const statuses: Record<number, string> = {};
  if (route.request)
    statuses[400] = 'The request does not match this operation (the problem lists each field)';
  if (route.auth) statuses[401] = 'No valid bearer token (WWW-Authenticate says why)';
  if (route.request?.body) {
    statuses[413] = 'The body is larger than this operation accepts';
    statuses[415] = `The body is not ${route.request.contentType ?? 'application/json'}`;
  }
  if (DEPENDENCY_BINDS.some((bind) => route.binds?.[bind]))
    statuses[503] = 'A dependency is unavailable; retry later';
  return statuses;
}

/**
 * The route's example body, else the first of its body schema's own examples (`.meta({ examples })`; zod leaves a
 * refined or transformed schema's metadata out of its input JSON Schema).
 */
function exampleOf(request: NonNullable<RouteSpec['request']>): JsonObject {
  const example =
    request.example ?? (request.body && z.globalRegistry.get(request.body)?.examples?.[0 as never]);
  return example === undefined ? {} : { example };
}

function responsesOf(route: RouteSpec): Record<string, JsonObject> {
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const isError = Number(status) >= 400;
    const schema = response.schema ? toSchema(response.schema, 'output') : undefined;
    let content: JsonObject | undefined;
    // An error answer declared without a body of its own is the wrapper's problem+json.
    if (isError && !schema && !response.contentType) content = problem.content;
    // An error body with the problem members is a problem with extension members (e.g. what remains of a sold-out
    // tier); the same status may also be a plain problem (e.g. a 409 for an event not on sale).
    else if (isError && schema && isProblemShaped(schema) && !response.contentType)
      content = { [PROBLEM_JSON]: { schema: { anyOf: [schema, PROBLEM_REF] } } };
    else if (schema || response.contentType)
      content = { [response.contentType ?? 'application/json']: schema ? { schema } : {} };
    responses[status] = { description: response.description, ...(content ? { content } : {}) };
  }
  for (const [status, description] of Object.entries(wrapperStatuses(route))) {
    const declared = responses[status];
    if (!declared) {
      responses[status] = { ...problem, description };
      continue;
    }
    // A page's own error page, and the wrapper's problem+json when the request fails before the page is built. A
    // route with an error body of its own (the OAuth endpoints' RFC 6749 errors) answers validation failures with it.
    const content = (declared.content ?? {}) as Record<string, unknown>;
    if (!content['application/json']) declared.content = { ...content, ...problem.content };
  }
  return responses;
}

export function buildOpenApi(
  manifests: readonly ServiceManifest[],
  info: { version: string; serverUrl?: string },
) {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const manifest of manifests) {
    for (const [name, route] of Object.entries(manifest.routes)) {
      if (route.internal) continue;
      const responses = responsesOf(route);
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
              ...exampleOf(route.request),
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
            'Public clients (client_id, no secret); the first-party one, the web and mobile apps, is client_id=web. ' +
            'Browser and native apps use the authorization code flow with ' +
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
