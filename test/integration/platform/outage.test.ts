// An outage answers as an outage: while a service's database cannot be reached, its routes answer 503
// problem+json with Retry-After (clients and the web app retry), never a 500 "internal" error.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { withIssuedPlatform } from '../../support/platform';
import { freePort } from '../../support/ports';
import { buy, buyerHeaders } from '../../support/purchases';
import type { TestIssuer } from '../../support/tokens';

let platform: Platform;
let issuer: TestIssuer;

withIssuedPlatform({ schedules: false, consumers: false }, async (started) => {
  ({ platform, issuer } = started);
  // Nothing has opened the tickets pool yet: it will connect where nothing listens, as to a database that is down.
  process.env.TICKETS_DATABASE_URL = `postgres://tickets:tickets-local@127.0.0.1:${await freePort()}/tickets`;
});

describe('a purchase while the tickets database is down', () => {
  it('answers 503 problem+json with Retry-After', async () => {
    const headers = await buyerHeaders(issuer, platform.apiUrl, {
      email: `outage-${randomUUID()}@example.com`,
      givenName: 'Otto',
    });

    const response = await buy(platform.apiUrl, headers, { eventId: randomUUID(), tierId: randomUUID() }, 1);

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const problem = (await response.json()) as { type: string; detail: string };
    expect(problem.type).toBe('/problems/service-unavailable');
    expect(problem.detail).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|tickets-local/);
  });
});
