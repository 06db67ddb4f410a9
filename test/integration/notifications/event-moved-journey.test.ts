// An event that moves, through every service for real: the organizer publishes, two people buy, the organizer moves
// the start a day later, and each buyer gets exactly one email saying so (events' EventChanged through the outbox,
// notifications' holders), on top of their confirmation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { signUp } from '../../support/accounts';
import { client } from '../../support/http';
import { startTestPlatform } from '../../support/platform';
import { eventBody, inDays } from '../events/support';
import { drained, eventually, inbox } from './support';

let platform: Platform;
const api = client(() => platform.apiUrl);

/** The emails about the event a person has received (sign-up sends an address confirmation too). */
const aboutTheEvent = async (to: string) =>
  (await inbox(platform.mailUrl, to)).filter((email) => email.subject.includes('Jazz at the Sunset'));
const received = (to: string, count: number) =>
  eventually(async () => {
    const emails = await aboutTheEvent(to);
    return emails.length >= count ? emails : undefined;
  });

beforeAll(async () => {
  process.env.RATE_LIMIT_REGISTER_IP = '1000/3600';
  platform = await startTestPlatform({ schedules: false });
});
afterAll(async () => {
  await platform?.stop();
});

describe('moving an event', () => {
  it('emails each holder once with the new time', async () => {
    // Prepare: a free event on sale, two holders with their confirmations
    const organizer = await signUp(platform.apiUrl);
    const startsAt = inDays(20);
    const created = await api('POST', '/v1/events', {
      token: organizer.accessToken,
      body: eventBody({
        startsAt,
        ticketTiers: [{ name: 'Free', price: 0, currency: 'EUR', quantity: 50 }],
        capacity: 50,
      }),
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await api('POST', `/v1/events/${id}/publish`, { token: organizer.accessToken })).status).toBe(
      200,
    );
    const tierId = created.body.ticketTiers[0].id as string;
    const buyers = await Promise.all([signUp(platform.apiUrl), signUp(platform.apiUrl)]);
    for (const buyer of buyers) {
      const order = await api('POST', `/v1/events/${id}/orders`, {
        token: buyer.accessToken,
        headers: { 'idempotency-key': crypto.randomUUID() },
        body: { items: [{ tierId, quantity: 1 }] },
      });
      expect(order.status).toBe(201);
      const [confirmation] = await received(buyer.email, 1);
      expect(confirmation?.text).toContain('60 rue des Lombards, Paris, France');
    }

    // Act
    const later = new Date(Date.parse(startsAt) + 86_400_000).toISOString();
    const moved = await api('PATCH', `/v1/events/${id}`, {
      token: organizer.accessToken,
      body: { startsAt: later, endsAt: new Date(Date.parse(later) + 3 * 3_600_000).toISOString() },
    });
    expect(moved.status).toBe(200);

    // Assess
    for (const buyer of buyers) {
      const emails = await received(buyer.email, 2);
      expect(emails.map((email) => email.subject)).toContain('New time: Jazz at the Sunset');
    }
    await drained(platform.awsEndpoint, platform.queueUrls['notifications-catalogue-events'] as string);
    for (const buyer of buyers) expect(await aboutTheEvent(buyer.email)).toHaveLength(2);
  });
});
