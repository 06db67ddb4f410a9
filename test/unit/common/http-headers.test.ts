// Request headers declared in a route's manifest entry are validated by the HTTP wrapper, like the path, query and
// body: a missing or malformed one is a 400 problem+json that lists it, and the handler gets the valid value.
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { tickets } from '../../../functions/tickets/manifest';
import { type HttpEvent, httpHandler } from '../../../layers/common/http';
import type { RouteSpec } from '../../../layers/common/manifest';

const route = {
  method: 'POST',
  path: '/v1/things',
  handler: 'things.ts',
  summary: 'Makes a thing',
  auth: false,
  request: {
    headers: z.object({ 'Idempotency-Key': z.string().min(8), 'X-Optional': z.string().optional() }),
    body: z.object({ name: z.string() }),
  },
  responses: { 201: { description: 'Made' } },
} as const satisfies RouteSpec;

const handler = httpHandler('test', route, async ({ declaredHeaders, body }) => ({
  statusCode: 201,
  body: { key: declaredHeaders['Idempotency-Key'], optional: declaredHeaders['X-Optional'] ?? null, ...body },
}));

function post(headers: Record<string, string>, body: unknown = { name: 'a' }) {
  const event = {
    version: '2.0',
    routeKey: 'POST /v1/things',
    rawPath: '/v1/things',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', http: { method: 'POST', path: '/v1/things', sourceIp: '127.0.0.1' } },
  } as unknown as HttpEvent;
  return handler(event, { awsRequestId: 'r1', functionName: 'test' } as Context) as Promise<{
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  }>;
}

describe('declared request headers', () => {
  it('hands the handler the header under its declared name, whatever the letter case it arrived in', async () => {
    const response = await post({ 'idempotency-key': 'abcdefgh-1' });
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body)).toEqual({ key: 'abcdefgh-1', optional: null, name: 'a' });
  });

  it('answers 400 problem+json listing a missing header, next to the body fields that are wrong', async () => {
    const response = await post({}, {});
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(response.body) as { type: string; errors: { in: string; field: string }[] };
    expect(problem.type).toBe('/problems/validation-error');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'header', field: 'Idempotency-Key', message: 'Required' }),
        expect.objectContaining({ in: 'body', field: 'name' }),
      ]),
    );
  });

  it('answers 400 for a malformed header', async () => {
    const response = await post({ 'idempotency-key': 'short' });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual([
      expect.objectContaining({ in: 'header', field: 'Idempotency-Key' }),
    ]);
  });
});

describe("the purchase route's Idempotency-Key", () => {
  const headers = tickets.routes.purchase.request.headers;
  const rule = 'Required: 8 to 100 characters of A-Z a-z 0-9 . _ : - (a UUID is ideal)';

  it('accepts a UUID and refuses a missing, short or oddly spelled key with the rule in the message', () => {
    expect(headers.safeParse({ 'Idempotency-Key': crypto.randomUUID() }).success).toBe(true);
    for (const bad of [undefined, 'abc', 'has spaces in it', 'x'.repeat(101)]) {
      const result = headers.safeParse({ 'Idempotency-Key': bad });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.message)).toEqual([rule]);
    }
  });
});
