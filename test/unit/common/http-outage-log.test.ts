// An outage answers 503 and is logged as one: a warning that names the dependency, not an "unhandled error" with
// a stack trace, which stays for bugs.
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HttpEvent, httpHandler } from '../../../layers/common/http';
import type { RouteSpec } from '../../../layers/common/manifest';

const route = {
  method: 'GET',
  path: '/v1/things',
  handler: 'things.ts',
  summary: 'Reads things',
  auth: false,
  responses: { 200: { description: 'Things' } },
} as const satisfies RouteSpec;

/** Every log line, parsed, with the level it was written at (Powertools writes through console under POWERTOOLS_DEV). */
function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  for (const method of ['error', 'warn', 'info', 'debug', 'log'] as const)
    vi.spyOn(console, method).mockImplementation((text: unknown) => {
      lines.push(JSON.parse(String(text)) as Record<string, unknown>);
    });
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function call(failure: Error) {
  const handler = httpHandler('test', route, async () => {
    throw failure;
  });
  const event = {
    version: '2.0',
    routeKey: 'GET /v1/things',
    rawPath: '/v1/things',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', http: { method: 'GET', path: '/v1/things', sourceIp: '127.0.0.1' } },
  } as unknown as HttpEvent;
  return (await handler(event, { awsRequestId: 'r1', functionName: 'test' } as Context)) as {
    statusCode: number;
  };
}

describe('outage logging', () => {
  it('logs a database that refuses connections as a warning naming it, with no error line', async () => {
    const lines = captureLogs();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 5432,
    });
    expect((await call(refused)).statusCode).toBe(503);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'dependency unavailable',
        dependency: '127.0.0.1:5432',
        reason: 'ECONNREFUSED',
      }),
    );
    expect(JSON.stringify(lines)).not.toContain('stack');
  });

  it('still logs a bug as an unhandled error with its stack', async () => {
    const lines = captureLogs();
    expect((await call(new Error('a bug'))).statusCode).toBe(500);
    const error = lines.find((line) => line.message === 'unhandled error');
    expect(error).toMatchObject({ level: 'ERROR' });
    expect(JSON.stringify(error)).toContain('stack');
  });
});
