// The local runtime says where a request's time went, as a W3C `Server-Timing` header that browsers' dev tools show
// and the bench reads: the authorizer, the whole function, and inside it validation, each database statement and
// publishing, with how many times each ran.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerTiming } from '../../../layers/common/timings';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { startTestPlatform } from '../../support/platform';
import { MANIFESTS, steps } from '../events/support';

let platform: Platform;
let organizer: TestUser;
let buyer: TestUser;
const { api, organizer: signUp, published } = steps(() => platform);

beforeAll(async () => {
  platform = await startTestPlatform({ manifests: MANIFESTS, schedules: false });
  [organizer, buyer] = await Promise.all([signUp(), signUp()]);
});
afterAll(async () => {
  await platform?.stop();
});

describe('Server-Timing on every answer of the local runtime', () => {
  it('breaks a purchase down into authorizer, validation, database statements and publishing', async () => {
    const event = await published(organizer, {
      capacity: 10,
      ticketTiers: [{ name: 'Free entry', price: 0, currency: 'EUR', quantity: 10 }],
    });
    const bought = await api('POST', `/v1/events/${event.id}/orders`, {
      token: buyer.accessToken,
      headers: { 'idempotency-key': randomUUID() },
      body: { items: [{ tierId: event.ticketTiers[0].id, quantity: 1 }] },
    });
    expect(bought.status, JSON.stringify(bought.body)).toBe(201);
    const stages = parseServerTiming(bought.headers.get('server-timing') ?? undefined);
    expect(Object.keys(stages)).toEqual(
      expect.arrayContaining(['authorizer', 'function', 'validation', 'db']),
    );
    expect(stages.db?.count).toBeGreaterThanOrEqual(1);
    expect(stages.function?.ms).toBeGreaterThan(0);
    // The stages run inside the function: together they never take longer than it (pipelined statements aside).
    expect(stages.validation?.ms ?? 0).toBeLessThanOrEqual(stages.function?.ms ?? 0);
  });

  it('shows a public read with no authorizer stage', async () => {
    const event = await published(organizer);
    const page = await api('GET', `/v1/events/${event.id}`);
    expect(page.status).toBe(200);
    const stages = parseServerTiming(page.headers.get('server-timing') ?? undefined);
    expect(stages.function?.ms).toBeGreaterThan(0);
    expect(stages.authorizer).toBeUndefined();
  });
});
