// The OpenAPI document generated from the manifests is valid OpenAPI 3.1 and describes every public route.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { manifests } from '../../../functions/manifests';
import { buildOpenApi } from '../../../layers/common/openapi';
import { echo } from '../../fixtures/echo/manifest';

describe('buildOpenApi', () => {
  const document = buildOpenApi([...manifests, echo], { version: '1.2.3' });

  it('passes the OpenAPI 3.1 schema', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('describes each public route with its parameters, body and security, and hides the catch-all', () => {
    const operation = document.paths['/v1/test/echo/{id}']?.post as {
      parameters: { name: string; in: string }[];
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
    };
    expect(operation.parameters.map((parameter) => `${parameter.in}:${parameter.name}`)).toEqual([
      'path:id',
      'query:limit',
    ]);
    expect(operation.requestBody.content['application/json']?.schema.required).toEqual(['name', 'quantity']);
    expect(document.paths['/v1/test/whoami']?.get?.security).toEqual([{ bearer: [] }]);
    expect(document.paths.$default).toBeUndefined();
    expect(document.paths['/v1/health']?.get?.responses).toHaveProperty('200');
  });

  it('documents how to get a token: the authorization code and password flows of the auth service', () => {
    const oauth2 = document.components.securitySchemes.oauth2;
    expect(oauth2.flows.authorizationCode).toMatchObject({
      authorizationUrl: '/oauth/authorize',
      tokenUrl: '/v1/oauth/token',
      scopes: { api: expect.any(String) },
    });
    expect(oauth2.flows.password.tokenUrl).toBe('/v1/oauth/token');
    expect(document.paths['/oauth/authorize']).toHaveProperty('get');
    expect(document.paths['/oauth/authorize']).toHaveProperty('post');
  });

  it('declares the Idempotency-Key header of a purchase as a required header parameter', () => {
    const operation = document.paths['/v1/events/{id}/orders']?.post as {
      parameters: { name: string; in: string; required: boolean; schema: { pattern?: string } }[];
    };
    const header = operation.parameters.find((parameter) => parameter.in === 'header');
    expect(header).toMatchObject({ name: 'Idempotency-Key', required: true });
    expect(header?.schema.pattern).toBeDefined();
  });

  it('declares the fields of the token and revocation forms under their form media type', () => {
    const formFields = (path: string) => {
      const body = document.paths[path]?.post?.requestBody as {
        content: Record<string, { schema: { properties?: Record<string, unknown> } }>;
      };
      expect(Object.keys(body.content)).toEqual(['application/x-www-form-urlencoded']);
      return Object.keys(body.content['application/x-www-form-urlencoded']?.schema.properties ?? {});
    };
    expect(formFields('/v1/oauth/token')).toEqual(
      expect.arrayContaining(['grant_type', 'client_id', 'username', 'password', 'refresh_token', 'scope']),
    );
    expect(formFields('/v1/oauth/revoke')).toEqual(
      expect.arrayContaining(['token', 'token_type_hint', 'client_id']),
    );
  });

  it('lists the answers the wrapper gives on its own as problem+json, and no catch-all status', () => {
    const problemOf = (path: string, method: 'get' | 'post', status: string) => {
      const responses = (document.paths[path]?.[method]?.responses ?? {}) as Record<
        string,
        { content?: object }
      >;
      return Object.keys(responses[status]?.content ?? {});
    };
    const echoResponses = document.paths['/v1/test/echo/{id}']?.post?.responses ?? {};
    // A body route: validation, size and media type; a database route: an outage.
    expect(Object.keys(echoResponses).sort()).toEqual(['201', '400', '413', '415', '503']);
    expect(problemOf('/v1/test/echo/{id}', 'post', '415')).toEqual(['application/problem+json']);
    expect(Object.keys(document.paths['/v1/test/whoami']?.get?.responses ?? {}).sort()).toEqual([
      '200',
      '401',
    ]);
    // An error declared without a body is the wrapper's problem+json.
    expect(problemOf('/v1/auth/register', 'post', '429')).toEqual(['application/problem+json']);
    // A page answers its own error page, or problem+json when the request fails before the page is built.
    expect(problemOf('/oauth/authorize', 'get', '400')).toEqual(['text/html', 'application/problem+json']);
    // A declared error body with the problem members is a problem with extension members, or a plain problem.
    expect(problemOf('/v1/events/{id}/orders', 'post', '409')).toEqual(['application/problem+json']);
    // The OAuth endpoints answer every bad request with RFC 6749's error object.
    expect(problemOf('/v1/oauth/revoke', 'post', '400')).toEqual(['application/json']);
    for (const methods of Object.values(document.paths))
      for (const operation of Object.values(methods))
        expect(operation.responses).not.toHaveProperty('default');
  });

  it('spells out control characters in patterns, for tools without Unicode property escapes', () => {
    const body = document.paths['/v1/auth/register']?.post?.requestBody as {
      content: { 'application/json': { schema: { properties: { firstName: { pattern: string } } } } };
    };
    const pattern = body.content['application/json'].schema.properties.firstName.pattern;
    expect(pattern).toBe('^[^\\x00-\\x1f\\x7f-\\x9f]*$');
    expect(new RegExp(pattern).test('tab\there')).toBe(false);
    expect(new RegExp(pattern).test('correct horse')).toBe(true);
    expect(JSON.stringify(document)).not.toContain('\\\\p{Cc}');
  });

  it('says what the validators say: tag length, money in minor units, non-empty PATCH bodies, query formats', () => {
    type Schema = {
      properties: Record<string, Record<string, unknown> & { items?: Schema }>;
      minProperties?: number;
    };
    const bodyOf = (path: string, method: 'post' | 'patch') => {
      const body = document.paths[path]?.[method]?.requestBody as
        | { content: Record<string, { schema: Schema }> }
        | undefined;
      return body?.content['application/json']?.schema as Schema;
    };
    const create = bodyOf('/v1/events', 'post');
    expect(create.properties.tags?.items).toMatchObject({ maxLength: 30 });
    expect(create.properties.ticketTiers?.items?.properties.price?.description).toMatch(/minor units/);
    expect(bodyOf('/v1/events/{id}', 'patch').minProperties).toBe(1);
    expect(bodyOf('/v1/users/me', 'patch').minProperties).toBe(1);
    const parameters = (document.paths['/v1/events']?.get?.parameters ?? []) as {
      name: string;
      schema: unknown;
    }[];
    const from = parameters.find((parameter) => parameter.name === 'from');
    expect(from?.schema).toMatchObject({ anyOf: [{ format: 'date' }, { format: 'date-time' }] });
    expect(document.components.securitySchemes.oauth2.description).toContain('client_id=web');
  });

  it('shows an example of every request body, each one the route accepts', () => {
    for (const manifest of manifests) {
      for (const [name, route] of Object.entries(manifest.routes)) {
        const body = route.request?.body;
        if (!body || route.internal) continue;
        const operation = document.paths[route.path]?.[route.method.toLowerCase() as 'post'];
        type Media = { example?: unknown; schema: { examples?: unknown[] } };
        const requestBody = operation?.requestBody as { content: Record<string, Media> } | undefined;
        const media = Object.values(requestBody?.content ?? {})[0];
        const examples = media?.example === undefined ? (media?.schema.examples ?? []) : [media.example];
        expect(examples.length, `${manifest.service}.${name} has no example`).toBeGreaterThan(0);
        for (const example of examples) {
          const parsed = body.safeParse(example);
          expect(parsed.error?.issues ?? [], `${manifest.service}.${name}'s example`).toEqual([]);
        }
      }
    }
  });
});
