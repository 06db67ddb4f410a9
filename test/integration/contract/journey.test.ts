// The OpenAPI document as the contract of a whole journey: an organizer publishes, a buyer buys, reads and cancels,
// the door admits a ticket, and bad requests are refused. The shared client checks every answer against the
// document (status, media type, schema), so a route that drifts from it fails here with what differs.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { signUp, type TestUser } from '../../support/accounts';
import { client } from '../../support/http';
import { startTestPlatform } from '../../support/platform';
import { eventBody } from '../events/support';

let platform: Platform;
const api = client(() => platform.apiUrl);
let organizer: TestUser;
let buyer: TestUser;

beforeAll(async () => {
  platform = await startTestPlatform();
  [organizer, buyer] = await Promise.all([signUp(platform.apiUrl), signUp(platform.apiUrl)]);
});
afterAll(async () => {
  await platform?.stop();
});

describe('the API keeps to its OpenAPI document', () => {
  it('through a sale: publish, buy, read, admit at the door, cancel', async () => {
    const organizerToken = organizer.accessToken;
    const token = buyer.accessToken;
    const created = await api('POST', '/v1/events', {
      token: organizerToken,
      body: eventBody({
        ticketTiers: [
          { name: 'Free', price: 0, currency: 'EUR', quantity: 60 },
          { name: 'VIP', price: 6000, currency: 'EUR', quantity: 40 },
        ],
      }),
    });
    expect(created.status).toBe(201);
    const eventId: string = created.body.id;
    expect((await api('POST', `/v1/events/${eventId}/publish`, { token: organizerToken })).status).toBe(200);
    const free = (await api('GET', `/v1/events/${eventId}`)).body.ticketTiers.find(
      (tier: { name: string }) => tier.name === 'Free',
    );
    expect((await api('GET', `/v1/events/${eventId}/availability`)).status).toBe(200);
    expect((await api('GET', '/v1/events?limit=5')).status).toBe(200);

    const purchase = await api('POST', `/v1/events/${eventId}/orders`, {
      token,
      headers: { 'idempotency-key': randomUUID() },
      body: { items: [{ tierId: free.id, quantity: 2 }] },
    });
    expect(purchase.status).toBe(201);
    const orderId: string = purchase.body.id;
    expect((await api('GET', `/v1/orders/${orderId}`, { token })).status).toBe(200);
    expect((await api('GET', '/v1/users/me/orders', { token })).body.items).toHaveLength(1);
    const tickets = await api('GET', '/v1/users/me/tickets', { token });
    expect(tickets.body.items).toHaveLength(2);
    expect((await api('GET', '/v1/users/me/events', { token })).status).toBe(200);
    const qr = await api('GET', `/v1/tickets/${tickets.body.items[0].id}/qr`, { token });
    expect(qr.status).toBe(200);
    expect((await api('GET', '/v1/users/me', { token })).status).toBe(200);

    const scan = { scanId: randomUUID(), payload: qr.body.payload, gate: 'North door' };
    const door = `/v1/events/${eventId}/check-ins`;
    expect((await api('POST', door, { token: organizerToken, body: scan })).status).toBe(200);
    const again = await api('POST', door, { token: organizerToken, body: { ...scan, scanId: randomUUID() } });
    expect(again.status).toBe(409);
    expect(again.body.outcome).toBe('already-admitted');
    expect((await api('GET', `${door}/stats`, { token: organizerToken })).status).toBe(200);

    for (const path of [
      '/v1/organizer/events',
      `/v1/organizer/events/${eventId}`,
      `/v1/organizer/events/${eventId}/audit`,
      `/v1/organizer/events/${eventId}/attendees`,
      `/v1/organizer/events/${eventId}/metrics`,
      '/v1/organizer/dashboard',
    ])
      expect((await api('GET', path, { token: organizerToken })).status, path).toBe(200);

    // The other ticket is still unused: the order can be cancelled before the event.
    const cancelled = await api('POST', `/v1/orders/${orderId}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
  });

  it("for the account's own pages and the platform's documents", async () => {
    const token = buyer.accessToken;
    for (const path of ['/v1/auth/sessions', '/v1/users/me/notifications'])
      expect((await api('GET', path, { token })).status, path).toBe(200);
    for (const path of [
      '/v1/health',
      '/v1/openapi.json',
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
      '/.well-known/jwks.json',
      '/v1/tickets/qr-keys',
    ])
      expect((await api('GET', path)).status, path).toBe(200);
    const tokens = await api('POST', '/v1/oauth/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: new URLSearchParams({
        grant_type: 'password',
        client_id: 'web',
        username: buyer.email,
        password: buyer.password,
      }).toString(),
    });
    expect(tokens.status).toBe(200);
  });

  it('when refusing bad requests: each refusal is a documented status with its documented body', async () => {
    const token = buyer.accessToken;
    const refusals: [string, string, Parameters<typeof api>[2], number][] = [
      ['GET', '/v1/users/me', {}, 401],
      ['GET', '/v1/users/me', { token: 'not.a.token' }, 401],
      ['GET', `/v1/orders/${randomUUID()}`, { token }, 404],
      ['GET', '/v1/events?q=%00', {}, 400],
      ['GET', '/v1/events?cursor=bm90LWEtY3Vyc29y', {}, 400],
      ['GET', '/v1/events/not-a-uuid', {}, 400],
      ['PATCH', '/v1/users/me', { token, body: {} }, 400],
      ['POST', '/v1/events', { token, rawBody: '{"name": ' }, 400],
      ['POST', '/v1/events', { token, rawBody: 'name=x', headers: { 'content-type': 'text/plain' } }, 415],
      [
        'POST',
        '/v1/oauth/token',
        { rawBody: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        400,
      ],
    ];
    for (const [method, path, options, status] of refusals)
      expect((await api(method, path, options)).status, `${method} ${path}`).toBe(status);
  });
});
