// The organizers' daily sales summary, through every service for real: an organizer opts in through the users
// service (its copy reaches notifications as a message), sells, refunds and admits through tickets, and the daily
// schedule, run on a test clock the next day, emails one summary with the day's figures; an organizer who opted out
// gets none, and a second run the same day sends nothing more.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventSnapshot } from '../../../events/contracts/catalogue';
import { summaryScanDeps } from '../../../functions/notifications/sales-summaries.deps';
import { SALES_SUMMARIES_QUEUE } from '../../../functions/notifications/sales-summaries.schemas';
import { makeHandler } from '../../../functions/notifications/scan-sales-summaries.schedule';
import type { Platform } from '../../../local/platform';
import { testClock } from '../../support/clock';
import { client } from '../../support/http';
import { type PayableOrder, paidOrder } from '../../support/payments';
import { withIssuedPlatform } from '../../support/platform';
import { buy, buyerHeaders, putOnSale } from '../../support/purchases';
import type { TestIssuer } from '../../support/tokens';
import { drained, emailsFor, inbox } from './support';

let platform: Platform;
let issuer: TestIssuer;
const api = client(() => platform.apiUrl);

withIssuedPlatform({ schedules: false }, (started) => {
  ({ platform, issuer } = started);
});

interface Order extends PayableOrder {
  tickets: { code: string }[];
}

async function organizer(firstName: string) {
  const userId = randomUUID();
  const email = `organizer-${userId}@example.com`;
  const { authorization } = await buyerHeaders(issuer, platform.apiUrl, {
    email,
    givenName: firstName,
    familyName: 'Organizer',
    userId,
  });
  return { userId, email, token: authorization.slice('Bearer '.length) };
}

const show = (name: string): EventSnapshot => ({
  name,
  startsAt: '2027-03-01T19:00:00Z',
  endsAt: '2027-03-01T22:00:00Z',
  timezone: 'Europe/Paris',
  place: 'Le Baiser Salé, Paris',
});

async function sell(
  onSale: Awaited<ReturnType<typeof putOnSale>>,
  quantity: number,
): Promise<{ order: Order; headers: Record<string, string> }> {
  const headers = await buyerHeaders(issuer, platform.apiUrl, {
    email: `buyer-${randomUUID()}@example.com`,
    givenName: 'Buyer',
  });
  const response = await buy(platform.apiUrl, headers, onSale, quantity);
  expect(response.status).toBe(201);
  const order = await paidOrder(platform.apiUrl, headers.authorization, (await response.json()) as Order);
  return { order, headers };
}

/**
 * The first moment at which the calendar day in each of `zones` is the one after `at`'s day there, so a schedule run
 * then counts `at`'s day as yesterday in every one of them. (A fixed 00:30 UTC the next day does not: sales made after
 * 23:00 UTC fall on the next day in Paris.) Local midnights fall on whole quarter hours of UTC in every zone.
 */
function dayAfter(at: Date, zones: string[]): Date {
  const QUARTER_HOUR = 15 * 60_000;
  const formats = zones.map((timeZone) => new Intl.DateTimeFormat('en-CA', { timeZone }));
  const days = formats.map((format) => format.format(at));
  let moment = Math.floor(at.getTime() / QUARTER_HOUR) * QUARTER_HOUR;
  while (formats.some((format, index) => format.format(moment) <= (days[index] as string)))
    moment += QUARTER_HOUR;
  return new Date(moment);
}

/** The schedule's handler as EventBridge runs it, on the test's clock. */
const runSchedule = (now: () => Date) => makeHandler(() => ({ ...summaryScanDeps(), now }))();

const summaries = async (to: string) =>
  (await inbox(platform.mailUrl, to)).filter((email) => email.subject.startsWith('Your sales on'));

describe('the daily sales summary', () => {
  it('emails an organizer who opted in one summary of yesterday, and one who opted out none', async () => {
    // Prepare: two organizers, one opted in (then a change of mind the other way for the second)
    const ada = await organizer('Ada');
    const bob = await organizer('Bob');
    const optIn = await api('PUT', '/v1/users/me/notification-preferences', {
      token: ada.token,
      body: { dailySalesSummary: true, timeZone: null },
    });
    expect(optIn.status).toBe(200);
    expect(optIn.body).toEqual({ dailySalesSummary: true, timeZone: null });
    for (const dailySalesSummary of [true, false]) {
      const bobChoice = await api('PUT', '/v1/users/me/notification-preferences', {
        token: bob.token,
        body: { dailySalesSummary, timeZone: 'America/New_York' },
      });
      expect(bobChoice.status).toBe(200);
    }
    expect((await api('GET', '/v1/users/me/notification-preferences', { token: bob.token })).body).toEqual({
      dailySalesSummary: false,
      timeZone: 'America/New_York',
    });

    // Ada: two events; 3 + 2 paid tickets of one, one of those orders cancelled and refunded; 4 free of the other,
    // one of them admitted at the door. Bob sells too.
    const jazz = await putOnSale(
      show('Jazz Night'),
      { name: 'Floor', price: 2500, currency: 'EUR', quantity: 20 },
      ada.userId,
    );
    const talk = await putOnSale(
      show('Free Talk'),
      { name: 'Free', price: 0, currency: 'EUR', quantity: 20 },
      ada.userId,
    );
    const bobShow = await putOnSale(
      show("Bob's Show"),
      { name: 'Seat', price: 1000, currency: 'EUR', quantity: 5 },
      bob.userId,
    );
    await sell(jazz, 3);
    const refunded = await sell(jazz, 2);
    const free = await sell(talk, 4);
    await sell(bobShow, 1);
    const cancel = await api('POST', `/v1/orders/${refunded.order.id}/cancel`, {
      headers: { authorization: refunded.headers.authorization as string },
    });
    expect(cancel.status).toBe(200);
    const admitted = await api('POST', `/v1/events/${talk.eventId}/check-ins`, {
      token: ada.token,
      body: { scanId: randomUUID(), code: free.order.tickets[0]?.code },
    });
    expect(admitted.status).toBe(200);

    // Act: the schedule runs the next day (UTC), twice
    const today = new Date();
    const clock = testClock(dayAfter(today, ['UTC']));
    const first = await runSchedule(clock.now);
    clock.advance(3_600_000);
    const second = await runSchedule(clock.now);

    // Assess
    expect(second.queued).toBe(0);
    const [summary] = await emailsFor(platform.mailUrl, ada.email, 1);
    await drained(platform.awsEndpoint, platform.queueUrls[SALES_SUMMARIES_QUEUE] as string);
    expect(first.queued).toBeGreaterThanOrEqual(1);
    expect(await summaries(ada.email)).toHaveLength(1);
    expect(await summaries(bob.email)).toHaveLength(0);
    const text = summary?.text ?? '';
    const day = today.toLocaleDateString('en-GB', { dateStyle: 'full', timeZone: 'UTC' });
    expect(summary?.subject).toBe(`Your sales on ${day}`);
    expect(text).toContain('Hi Ada,');
    expect(text).toContain('(UTC)');
    expect(text).toContain('Jazz Night\n5 tickets sold, €125.00\n  Floor: 5 tickets, €125.00');
    expect(text).toContain('1 order cancelled (2 tickets), €50.00 refunded');
    expect(text).toContain('Free Talk\n4 tickets sold, €0.00\n  Free: 4 tickets, €0.00\n1 ticket checked in');
    expect(text).not.toContain("Bob's Show");
  });

  it('still emails everyone when one organizer chose a zone PostgreSQL does not know, that one in UTC', async () => {
    // Prepare: a zone the runtime accepts (an old alias) but this PostgreSQL's zone database has no longer
    const cy = await organizer('Cy');
    const dee = await organizer('Dee');
    for (const [who, timeZone] of [
      [cy, 'US/Pacific-New'],
      [dee, 'Europe/Paris'],
    ] as const) {
      const optIn = await api('PUT', '/v1/users/me/notification-preferences', {
        token: who.token,
        body: { dailySalesSummary: true, timeZone },
      });
      expect(optIn.status).toBe(200);
    }
    await sell(
      await putOnSale(
        show('Cy Live'),
        { name: 'Seat', price: 1000, currency: 'EUR', quantity: 5 },
        cy.userId,
      ),
      1,
    );
    await sell(
      await putOnSale(
        show('Dee Live'),
        { name: 'Seat', price: 1000, currency: 'EUR', quantity: 5 },
        dee.userId,
      ),
      1,
    );

    // Act: the schedule runs the next day, in UTC and in Paris
    const clock = testClock(dayAfter(new Date(), ['UTC', 'Europe/Paris']));
    const run = await runSchedule(clock.now);

    // Assess
    expect(run.queued).toBeGreaterThanOrEqual(2);
    const [forCy] = await emailsFor(platform.mailUrl, cy.email, 1);
    const [forDee] = await emailsFor(platform.mailUrl, dee.email, 1);
    expect(forCy?.text).toContain('(UTC)');
    expect(forCy?.text).toContain('Cy Live\n1 ticket sold, €10.00');
    expect(forDee?.text).toContain('(Europe/Paris)');
    expect(forDee?.text).toContain('Dee Live\n1 ticket sold, €10.00');
  });
});
