// A function that runs out of time answers 503 problem+json with Retry-After (a client backs off and retries), not
// the 500 of an unhandled error: middy answers just before Lambda's deadline, and the wrapper says what that means.
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HttpEvent, httpHandler } from '../../../layers/common/http';
import type { RouteSpec } from '../../../layers/common/manifest';

const route = {
  method: 'POST',
  path: '/v1/slow',
  handler: 'slow.ts',
  summary: 'Takes its time',
  auth: false,
  responses: { 200: { description: 'Done' } },
} as const satisfies RouteSpec;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a function out of time', () => {
  it('answers 503 with Retry-After', async () => {
    for (const method of ['error', 'warn', 'info', 'debug', 'log'] as const)
      vi.spyOn(console, method).mockImplementation(() => undefined);
    const never = new Promise<never>(() => undefined);
    const handler = httpHandler('test', route, () => never);
    const event = {
      version: '2.0',
      routeKey: 'POST /v1/slow',
      rawPath: '/v1/slow',
      rawQueryString: '',
      headers: {},
      isBase64Encoded: false,
      requestContext: { requestId: 'r1', http: { method: 'POST', path: '/v1/slow', sourceIp: '127.0.0.1' } },
    } as unknown as HttpEvent;
    const deadline = Date.now() + 100;
    const context = {
      awsRequestId: 'r1',
      functionName: 'test',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    } as unknown as Context;

    const response = (await handler(event, context)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };

    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(response.body)).toMatchObject({ status: 503, title: 'Service unavailable' });
  });
});
