// An event's checkout settings, end to end: the organizer sets the hold time and the refund policy on the event
// (events service), publishing and later changes carry them to tickets with the inventory, and a purchase's hold, the
// order's refund deadline and the buyer's cancellation follow them. Payments through the Stripe SDK against
// stripe-mock, webhooks signed as Stripe signs them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { client } from '../../support/http';
import { paidOrder } from '../../support/payments';
import { withIssuedPlatform } from '../../support/platform';
import { buy, buyerHeaders } from '../../support/purchases';
import { payThroughStripeMock, type StripeMock, startStripeMock } from '../../support/stripe-mock';
import type { TestIssuer } from '../../support/tokens';
import { eventually, inbox } from '../notifications/support';

let restoreEnv: () => void = () => undefined;

let platform: Platform;
let stripe: StripeMock;
let issuer: TestIssuer;
const api = client(() => platform.apiUrl);

// The platform starts paying through stripe-mock, and stops before it.
beforeAll(async () => {
  stripe = await startStripeMock();
  restoreEnv = payThroughStripeMock(stripe).restore;
});
afterAll(async () => {
  await stripe?.stop();
  restoreEnv();
});
withIssuedPlatform({ schedules: false }, (started) => {
  ({ platform, issuer } = started);
});

interface Order {
  id: string;
  status: string;
  total: number;
  currency: string;
  expiresAt: string | null;
  refundableUntil: string | null;
  payment: { paymentId: string } | null;
  refund: { amount: number; status: string } | null;
}

const HOUR = 3_600_000;

async function organizerToken(organizerId = randomUUID()) {
  return issuer.sign({
    iss: platform.apiUrl,
    aud: 'ticketorleaveit-api',
    sub: organizerId,
    email: `org-${organizerId}@example.com`,
  });
}

/** A paid event created and published through the events API, starting `startsInHours` from now. */
async function publishedEvent(token: string, startsInHours: number, settings: Record<string, unknown>) {
  const startsAt = Date.now() + startsInHours * HOUR;
  const created = await api('POST', '/v1/events', {
    token,
    body: {
      name: 'Settings night',
      type: 'concert',
      timezone: 'Europe/Paris',
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 3 * HOUR).toISOString(),
      capacity: 20,
      location: { venue: 'Olympia', address: '28 boulevard des Capucines', city: 'Paris', country: 'France' },
      ticketTiers: [{ name: 'Floor', price: 4500, currency: 'EUR', quantity: 20 }],
      ...settings,
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const event = created.body as { id: string; ticketTiers: { id: string }[]; startsAt: string };
  expect((await api('POST', `/v1/events/${event.id}/publish`, { token })).status).toBe(200);
  return { eventId: event.id, tierId: event.ticketTiers[0]?.id ?? '', startsAt: event.startsAt };
}

async function buyer() {
  const email = `settings-${randomUUID()}@example.com`;
  return { email, headers: await buyerHeaders(issuer, platform.apiUrl, { email, givenName: 'Noor' }) };
}

async function holdOf(headers: Record<string, string>, onSale: { eventId: string; tierId: string }) {
  const response = await buy(platform.apiUrl, headers, onSale, 1);
  expect(response.status).toBe(201);
  return (await response.json()) as Order;
}

const minutesHeld = (order: Order) => (new Date(order.expiresAt ?? 0).getTime() - Date.now()) / 60_000;

describe("an event's checkout settings", () => {
  it('are validated: a hold of 5 to 60 minutes, refunds until 0 to 720 hours before the start or none', async () => {
    const token = await organizerToken();
    const refused = await api('POST', '/v1/events', {
      token,
      body: {
        name: 'Bad settings',
        type: 'concert',
        timezone: 'Europe/Paris',
        startsAt: new Date(Date.now() + 48 * HOUR).toISOString(),
        endsAt: new Date(Date.now() + 50 * HOUR).toISOString(),
        capacity: 5,
        location: { onlineUrl: 'https://example.com/live' },
        ticketTiers: [{ name: 'Any', price: 100, currency: 'EUR', quantity: 5 }],
        holdMinutes: 2,
        refundUntilHoursBefore: -1,
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const fields = (refused.body as { errors: { field: string }[] }).errors.map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['holdMinutes', 'refundUntilHoursBefore']));
  });

  it('hold the seats as long as the organizer set, also after a change of the published event', async () => {
    const token = await organizerToken();
    const onSale = await publishedEvent(token, 7 * 24, { holdMinutes: 8 });
    const { headers } = await buyer();
    expect(minutesHeld(await holdOf(headers, onSale))).toBeGreaterThan(7);
    expect(minutesHeld(await holdOf(headers, onSale))).toBeLessThanOrEqual(8);

    const changed = await api('PATCH', `/v1/events/${onSale.eventId}`, { token, body: { holdMinutes: 40 } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ holdMinutes: 40, refundUntilHoursBefore: 0 });
    const later = await holdOf(headers, onSale);
    expect(minutesHeld(later)).toBeGreaterThan(39);
    expect(minutesHeld(later)).toBeLessThanOrEqual(40);
  });

  it('refund a cancellation before the deadline the order shows', async () => {
    const token = await organizerToken();
    const onSale = await publishedEvent(token, 7 * 24, { refundUntilHoursBefore: 48 });
    const noor = await buyer();
    const held = await holdOf(noor.headers, onSale);
    expect(held.refundableUntil).toBe(new Date(Date.parse(onSale.startsAt) - 48 * HOUR).toISOString());
    const paid = await paidOrder(platform.apiUrl, noor.headers.authorization, held);

    const cancelled = await api('POST', `/v1/orders/${paid.id}/cancel`, {
      headers: { authorization: noor.headers.authorization },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      refund: { amount: 4500, status: 'succeeded' },
    });
  });

  it("refuse a buyer's cancellation after the refund deadline, while the organizer can still cancel and refund", async () => {
    const organizerId = randomUUID();
    const token = await organizerToken(organizerId);
    // Starts in a day; refunds only until two days before: already over when bought.
    const onSale = await publishedEvent(token, 24, { refundUntilHoursBefore: 48 });
    const noor = await buyer();
    const paid = await paidOrder(
      platform.apiUrl,
      noor.headers.authorization,
      await holdOf(noor.headers, onSale),
    );
    expect(Date.parse(paid.refundableUntil ?? '')).toBeLessThan(Date.now());

    const refused = await api('POST', `/v1/orders/${paid.id}/cancel`, {
      headers: { authorization: noor.headers.authorization },
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      type: expect.stringContaining('refund-deadline-passed'),
      refundableUntil: paid.refundableUntil,
    });
    const still = await api('GET', `/v1/orders/${paid.id}`, {
      headers: { authorization: noor.headers.authorization },
    });
    expect(still.body).toMatchObject({ status: 'confirmed', refund: null });

    const byOrganizer = await api('POST', `/v1/organizer/orders/${paid.id}/cancel`, { token });
    expect(byOrganizer.status).toBe(200);
    expect(byOrganizer.body).toMatchObject({
      status: 'cancelled',
      refund: { amount: 4500, status: 'succeeded' },
    });
    // The cancellation saying the organizer cancelled it and what was refunded. (The confirmation may never come:
    // when the cancellation is handled before TicketPurchased, notifications rightly confirms nothing.)
    const cancellation = await eventually(
      async () =>
        (await inbox(platform.mailUrl, noor.email)).find((email) =>
          email.text?.includes('the organizer has cancelled your order'),
        ),
      20_000,
      'the cancellation email',
    );
    expect(cancellation.text).toContain('refund €45.00');
  });

  it('without refunds, a paid order cannot be cancelled by its buyer', async () => {
    const token = await organizerToken();
    const onSale = await publishedEvent(token, 7 * 24, { refundUntilHoursBefore: null });
    const noor = await buyer();
    const held = await holdOf(noor.headers, onSale);
    expect(held.refundableUntil).toBeNull();
    const paid = await paidOrder(platform.apiUrl, noor.headers.authorization, held);
    const refused = await api('POST', `/v1/orders/${paid.id}/cancel`, {
      headers: { authorization: noor.headers.authorization },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: expect.stringContaining('not-refundable') });
  });
});
