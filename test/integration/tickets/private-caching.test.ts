// Ticket codes and orders are the buyer's alone: every answer that carries them says `private, no-store`, so no
// shared cache (a CDN, a corporate proxy) keeps a copy and no browser writes one to disk.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { MANIFESTS, steps } from '../events/support';

let platform: Platform;
let organizer: TestUser;
let buyer: TestUser;
const { api, organizer: signUp, published } = steps(() => platform);

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  platform = await startTestPlatform({ manifests: MANIFESTS, schedules: false });
  [organizer, buyer] = await Promise.all([signUp(), signUp()]);
});
afterAll(async () => {
  await platform?.stop();
});

describe('answers carrying orders and ticket codes', () => {
  it('are private and never stored: purchase, replay, the order, my orders, my tickets, cancellation', async () => {
    const event = await published(organizer);
    const purchase = () =>
      api('POST', `/v1/events/${event.id}/orders`, {
        token: buyer.accessToken,
        headers: { 'idempotency-key': key },
        body: { items: [{ tierId: event.ticketTiers[0].id, quantity: 2 }] },
      });
    const key = randomUUID();
    const bought = await purchase();
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    const order = bought.body;
    const replayed = await purchase();
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');

    const reads = await Promise.all(
      [`/v1/orders/${order.id}`, '/v1/users/me/orders', '/v1/users/me/tickets'].map((path) =>
        api('GET', path, { token: buyer.accessToken }),
      ),
    );
    const cancelled = await api('POST', `/v1/orders/${order.id}/cancel`, { token: buyer.accessToken });
    for (const answer of [bought, replayed, ...reads, cancelled]) {
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
      expect(answer.headers.get('cache-control')).toBe('private, no-store');
    }
  });
});
