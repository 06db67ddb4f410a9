// The shared HTTP runtime through every layer: the local gateway, the JWT authorizer, the middy wrapper and the
// problem+json mapping, driven over real HTTP against real PostgreSQL and the AWS emulator.
import { randomUUID } from 'node:crypto';
import { generateKeyPair } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { manifests } from '../../../functions/manifests';
import type { Platform } from '../../../local/platform';
import { echo } from '../../fixtures/echo/manifest';
import { withIssuedPlatform } from '../../support/platform';
import type { TestIssuer } from '../../support/tokens';

let platform: Platform;
let issuer: TestIssuer;

// Health reports every dependency, log shipping to OpenSearch among them.
withIssuedPlatform(
  { manifests: [...manifests, echo], schedules: false, openSearchUrl: inject('openSearchUrl') },
  (started) => {
    ({ platform, issuer } = started);
  },
);

const post = (
  path: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) => fetch(`${platform.apiUrl}${path}`, { method: 'POST', body, headers });

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as {
    type: string;
    status: number;
    detail: string;
    errors?: { in: string; field: string }[];
  };
}

describe('health', () => {
  it('reports every dependency, each up against the real services', async () => {
    const response = await fetch(`${platform.apiUrl}/v1/health`);
    const body = (await response.json()) as {
      status: string;
      dependencies: Record<string, { status: string }>;
    };
    expect(response.status).toBe(200);
    // Circuits (circuit:<target>) are listed once this process has made internal calls; none is open here.
    const probed = Object.keys(body.dependencies).filter((name) => !name.startsWith('circuit:'));
    expect(probed.sort()).toEqual(
      [
        'database:auth',
        'database:events',
        'database:notifications',
        'database:tickets',
        'database:users',
        'logs',
        'mail',
        'objectStorage',
        'postgres',
        'redis',
      ].sort(),
    );
    for (const [name, dependency] of Object.entries(body.dependencies))
      expect([name, dependency.status]).toEqual([name, 'up']);
    expect(body.status).toBe('ok');
  });
});

describe('API description', () => {
  it('serves the OpenAPI 3.1 document and a docs page that renders it', async () => {
    const document = await fetch(`${platform.apiUrl}/v1/openapi.json`);
    expect(document.status).toBe(200);
    const body = (await document.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/v1/health', '/v1/openapi.json', '/v1/docs']),
    );

    const docs = await fetch(`${platform.apiUrl}/v1/docs`);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await docs.text();
    expect(page).toContain('spec-url="/v1/openapi.json"');
    // Offline: every script is the platform's own (a same-origin path), none inline, and the CSP allows no other.
    const scripts = [...page.matchAll(/<script([^>]*)>/g)].map((match) => match[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toMatch(/^ src="\/[^/]/);
    const csp = docs.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/https?:|unsafe-eval|script-src[^;]*unsafe-inline/);
    // Nothing in the policy may stop the renderer: no bare sandbox, no upgrade of the local http document.
    expect(csp).toMatch(/sandbox allow-scripts/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);

    const src = /<script src="([^"]+)"/.exec(page)?.[1] ?? '';
    const script = await fetch(new URL(src, platform.apiUrl));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect(await script.text()).toContain('Redoc');
  });
});

describe('requests', () => {
  it('accepts a valid request and echoes the caller-supplied correlation id', async () => {
    const id = randomUUID();
    const response = await post(`/v1/test/echo/${id}?limit=5`, JSON.stringify({ name: 'Ada', quantity: 2 }), {
      'content-type': 'application/json; charset=utf-8',
      'x-correlation-id': 'checkout-42',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-correlation-id')).toBe('checkout-42');
    expect(response.headers.get('location')).toBe(`/v1/test/echo/${id}`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toEqual({ id, name: 'Ada', quantity: 2, limit: 5 });
  });

  it('generates a correlation id when the caller sends none or an unusable one', async () => {
    const response = await post(
      `/v1/test/echo/${randomUUID()}`,
      JSON.stringify({ name: 'Ada', quantity: 1 }),
      {
        'content-type': 'application/json',
        'x-correlation-id': 'x'.repeat(500),
      },
    );
    expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers a CORS preflight', async () => {
    const response = await fetch(`${platform.apiUrl}/v1/test/echo/${randomUUID()}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('bad input gets a 4xx problem+json, never a 5xx', () => {
  it('malformed JSON is a 400 saying so', async () => {
    const response = await post(`/v1/test/echo/${randomUUID()}`, '{"name": "Ada",');
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.type).toBe('/problems/malformed-json');
    expect(problem.detail).toMatch(/not valid JSON/);
  });

  it('a wrong content type is a 415 naming the expected one', async () => {
    const response = await post(`/v1/test/echo/${randomUUID()}`, 'name=Ada', {
      'content-type': 'text/plain',
    });
    expect(response.status).toBe(415);
    expect((await problemOf(response)).detail).toMatch(/application\/json/);
  });

  it('an oversized body is a 413 with the limit', async () => {
    const response = await post(
      `/v1/test/echo/${randomUUID()}`,
      JSON.stringify({ name: 'A', pad: 'x'.repeat(2000) }),
    );
    expect(response.status).toBe(413);
    expect((await problemOf(response)).detail).toMatch(/1024 bytes/);
  });

  it('lists one error per bad field, across path, query and body', async () => {
    const response = await post('/v1/test/echo/not-a-uuid?limit=0', JSON.stringify({ quantity: -1 }));
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.type).toBe('/problems/validation-error');
    expect(problem.errors?.map((error) => `${error.in}:${error.field}`).sort()).toEqual(
      ['body:name', 'body:quantity', 'path:id', 'query:limit'].sort(),
    );
  });

  it('a missing body is a 400, not a crash', async () => {
    const response = await post(`/v1/test/echo/${randomUUID()}`, '');
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors?.[0]?.in).toBe('body');
  });

  it('an unknown route is a 404 and a wrong method a 405 with Allow', async () => {
    const unknown = await fetch(`${platform.apiUrl}/v1/nowhere`);
    expect(unknown.status).toBe(404);
    expect((await problemOf(unknown)).type).toBe('/problems/not-found');

    const wrongMethod = await fetch(`${platform.apiUrl}/v1/health`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    await problemOf(wrongMethod);
  });

  it('an unexpected failure is a 500 that carries no internals', async () => {
    const response = await post(
      `/v1/test/echo/${randomUUID()}`,
      JSON.stringify({ name: 'explode', quantity: 1 }),
    );
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/hunter2|secret internal|at .*\.ts/);
    expect(JSON.parse(text).type).toBe('/problems/internal');
  });
});

describe('protected routes, checked like the API Gateway JWT authorizer', () => {
  const whoami = (token?: string) =>
    fetch(`${platform.apiUrl}/v1/test/whoami`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const claims = () => ({
    iss: platform.apiUrl,
    aud: 'ticketorleaveit-api',
    sub: 'user-1',
    scope: 'tickets:buy',
    client_id: 'web',
  });

  it('lets a valid token through with its subject and scopes', async () => {
    const response = await whoami(await issuer.sign(claims()));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      userId: 'user-1',
      clientId: 'web',
      scopes: ['tickets:buy'],
    });
  });

  it('refuses a missing, tampered, expired, never-expiring, foreign, wrong-audience, unsigned or must-understand token with 401', async () => {
    const valid = await issuer.sign(claims());
    const [header, payload] = valid.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims(), sub: 'admin' })).toString('base64url')}.${valid.split('.')[2]}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const expired = await issuer.sign(claims(), { expiresIn: Math.floor(Date.now() / 1000) - 60 });
    const wrongAudience = await issuer.sign({ ...claims(), aud: 'someone-else', client_id: 'someone-else' });
    const wrongIssuer = await issuer.sign({ ...claims(), iss: 'https://evil.example' });
    const { privateKey: strangerKey } = await generateKeyPair('RS256');
    const foreignKey = await issuer.sign(claims(), { key: strangerKey });
    const neverExpiring = await issuer.sign(claims(), { expiresIn: null });
    const mustUnderstand = await issuer.sign(claims(), {
      header: { crit: ['urn:test:must-understand'], 'urn:test:must-understand': true },
    });

    for (const token of [
      undefined,
      forged,
      unsigned,
      expired,
      wrongAudience,
      wrongIssuer,
      foreignKey,
      neverExpiring,
      mustUnderstand,
      'garbage',
    ]) {
      const response = await whoami(token);
      expect(response.status).toBe(401);
      // RFC 6750 §3.1: a request without a token gets the bare challenge, a refused token says so.
      expect(response.headers.get('www-authenticate')).toBe(
        token === undefined ? 'Bearer' : 'Bearer error="invalid_token"',
      );
    }
  });
});
