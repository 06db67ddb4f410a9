// Input an attacker or a broken client sends: text PostgreSQL cannot store (a NUL byte, a lone surrogate) in any
// query, body or form field, and pagination cursors that were tampered with. Each is a 400 decided before the
// handler runs (problem+json, or RFC 6749's format at the token endpoint), never a 500.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { eventBody, MANIFESTS, steps } from '../events/support';

let platform: Platform;
let ada: TestUser;
const { api, organizer } = steps(() => platform);

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  platform = await startTestPlatform({ manifests: MANIFESTS, schedules: false });
  ada = await organizer();
});
afterAll(async () => {
  await platform?.stop();
});

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const expectProblem = (response: { status: number; headers: Headers; body: unknown }, field: string) => {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ field })] });
};

describe('text PostgreSQL cannot store', () => {
  it.each(['q', 'city', 'tag'])('a NUL byte in the catalogue query parameter %s is a 400', async (name) => {
    expectProblem(await api('GET', `/v1/events?${name}=jazz%00night`), name);
  });

  it('a NUL byte or a lone surrogate in a JSON body field is a 400 naming the field', async () => {
    const nul = await api('POST', '/v1/events', {
      token: ada.accessToken,
      body: eventBody({ name: 'Jazz\u0000night' }),
    });
    expectProblem(nul, 'name');
    const surrogate = await api('POST', '/v1/events', {
      token: ada.accessToken,
      rawBody: JSON.stringify(eventBody()).replace('Jazz at the Sunset', 'Jazz \\ud800 night'),
    });
    expectProblem(surrogate, 'name');
  });

  it.each(['username', 'client_id'])(
    'a NUL byte in the token form field %s is an RFC 6749 invalid_request',
    async (field) => {
      const fields: Record<string, string> = {
        grant_type: 'password',
        client_id: 'web',
        username: ada.email,
        password: ada.password,
      };
      fields[field] = `${fields[field]}\u0000`;
      const response = await fetch(`${platform.apiUrl}/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    },
  );
});

describe('tampered pagination cursors', () => {
  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['a date PostgreSQL refuses', cursor({ k: 'date', s: '1', i: randomUUID() })],
    ['year zero', cursor({ k: 'date', s: '0000-01-01T00:00:00Z', i: randomUUID() })],
  ])('the catalogue answers 400 to a cursor with %s', async (_, value) => {
    expectProblem(await api('GET', `/v1/events?sort=date&cursor=${value}`), 'cursor');
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['year zero', cursor(['0000-01-01T00:00:00Z', randomUUID()])],
    ['a NUL byte', cursor([`2026-01-01T00:00:00Z\u0000`, randomUUID()])],
  ])('my orders answer 400 to a cursor with %s', async (_, value) => {
    expectProblem(
      await api('GET', `/v1/users/me/orders?cursor=${value}`, { token: ada.accessToken }),
      'cursor',
    );
  });
});
