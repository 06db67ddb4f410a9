// Confirmation and cancellation emails end to end: ticket messages published on the ticket-events topic, the real
// consumer, PostgreSQL and SMTP, and the emails read back from maildev. Plus the history route over HTTP.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { type TestIssuer, withTestIssuer } from '../../support/tokens';
import {
  type Buyer,
  cancelled,
  drained,
  emailsFor,
  eventually,
  inbox,
  newBuyer,
  newEvent,
  notificationsPlatform,
  publish,
  purchased,
} from './support';

let platform: Platform;
let issuer: TestIssuer;
let db: pg.Pool;

withTestIssuer((started) => {
  issuer = started;
});
notificationsPlatform({}, (started) => {
  ({ platform, db } = started);
});

describe('confirmation email', () => {
  it('is sent once per purchase with every ticket code and the time where the event takes place', async () => {
    const buyer = newBuyer('Kenji');
    const show = newEvent({
      name: 'New Year in Tokyo',
      startsAt: '2026-12-31T23:30:00Z',
      endsAt: '2027-01-01T02:00:00Z',
      timezone: 'Asia/Tokyo',
      place: 'Budokan, Tokyo, JP',
    });
    const message = purchased(buyer, show, { quantity: 3, unitPrice: 5000, currency: 'JPY' });

    await publish(message);
    const [email] = await emailsFor(platform.mailUrl, buyer.email);

    expect(email?.subject).toBe('Your tickets for New Year in Tokyo');
    for (const part of [email?.html ?? '', email?.text ?? '']) {
      for (const ticket of message.data.tickets) expect(part).toContain(ticket.code);
      // 23:30 UTC on New Year's Eve is already the next morning in Tokyo.
      expect(part).toContain('1 January 2027');
      expect(part).toContain('08:30');
      expect(part).toContain('Asia/Tokyo');
      expect(part).toContain('Budokan, Tokyo, JP');
      expect(part).toContain('Kenji');
    }
    // Yen have no minor unit: 3 x 5000 is ¥15,000, not ¥150.00.
    expect(email?.text).toContain('15,000');
    expect(email?.html).toContain('<code');
  });

  it('is not sent again when the same message is delivered again later', async () => {
    const buyer = newBuyer();
    const message = purchased(buyer, newEvent());

    await publish(message);
    await emailsFor(platform.mailUrl, buyer.email);
    await publish(message);
    await drained(platform.awsEndpoint, platform.queueUrls['notifications-ticket-events'] ?? '');

    expect(await inbox(platform.mailUrl, buyer.email)).toHaveLength(1);
    const { rows } = await db.query('SELECT status, attempts FROM deliveries WHERE order_id = $1', [
      message.data.orderId,
    ]);
    expect(rows).toEqual([{ status: 'sent', attempts: 1 }]);
  });

  it('escapes names that look like HTML', async () => {
    const buyer = newBuyer('<b>Mallory</b>');
    const message = purchased(buyer, newEvent({ name: 'Rock & <script>alert(1)</script>' }));

    await publish(message);
    const [email] = await emailsFor(platform.mailUrl, buyer.email);

    expect(email?.html).not.toContain('<script>');
    expect(email?.html).not.toContain('<b>Mallory');
    expect(email?.html).toContain('Rock &amp; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email?.html).toContain('&lt;b&gt;Mallory&lt;/b&gt;');
    expect(email?.text).toContain('<b>Mallory</b>');
  });
});

describe('cancellation email', () => {
  it('tells a buyer who cancelled that the order is cancelled and refunded', async () => {
    const buyer = newBuyer();
    const purchase = purchased(buyer, newEvent({ name: 'Jazz Night' }), { quantity: 2, unitPrice: 1999 });
    await publish(purchase);
    await emailsFor(platform.mailUrl, buyer.email, 1);

    await publish(cancelled(purchase.data, 'customer'));
    const emails = await emailsFor(platform.mailUrl, buyer.email, 2);

    const email = emails.find((candidate) => candidate.subject.includes('cancelled'));
    expect(email?.subject).toBe('Your order for Jazz Night is cancelled');
    expect(email?.text).toContain('As you asked');
    expect(email?.text).toContain('€39.98');
    expect(email?.text).toContain(purchase.data.orderId);
    const holding = await db.query('SELECT status FROM holdings WHERE order_id = $1', [
      purchase.data.orderId,
    ]);
    expect(holding.rows[0]?.status).toBe('cancelled');
  });

  it('tells every holder of a cancelled event that the organizer cancelled it', async () => {
    const show = newEvent({ name: 'Open Air' });
    const holders = [newBuyer('Ada'), newBuyer('Grace')];
    const purchases = holders.map((holder) => purchased(holder, show));
    await publish(...purchases);
    for (const holder of holders) await emailsFor(platform.mailUrl, holder.email, 1);

    await publish(...purchases.map((purchase) => cancelled(purchase.data, 'event-cancelled')));

    for (const holder of holders) {
      const emails = await emailsFor(platform.mailUrl, holder.email, 2);
      const email = emails.find((candidate) => candidate.subject.startsWith('Cancelled'));
      expect(email?.subject).toBe('Cancelled: Open Air');
      expect(email?.text).toContain('the organizer has cancelled this event');
      expect(email?.text).not.toContain('As you asked');
    }
  });

  it('ends cancelled, without a confirmation, when the cancellation arrives before the purchase', async () => {
    const buyer = newBuyer();
    const purchase = purchased(buyer, newEvent({ name: 'Out of Order' }));

    await publish(cancelled(purchase.data, 'customer'));
    await emailsFor(platform.mailUrl, buyer.email, 1);
    await publish(purchase);
    await eventually(async () => {
      const { rows } = await db.query('SELECT ticket_count, status FROM holdings WHERE order_id = $1', [
        purchase.data.orderId,
      ]);
      return rows[0]?.ticket_count === 2 ? rows[0] : undefined;
    });
    await drained(platform.awsEndpoint, platform.queueUrls['notifications-ticket-events'] ?? '');

    const emails = await inbox(platform.mailUrl, buyer.email);
    expect(emails.map((email) => email.subject)).toEqual(['Your order for Out of Order is cancelled']);
    const { rows } = await db.query('SELECT status FROM holdings WHERE order_id = $1', [
      purchase.data.orderId,
    ]);
    expect(rows[0]?.status).toBe('cancelled');
  });
});

describe('GET /v1/users/me/notifications', () => {
  const tokenFor = (buyer: Buyer) =>
    issuer.sign({
      iss: platform.apiUrl,
      aud: 'ticketorleaveit-api',
      sub: buyer.userId,
      client_id: 'web',
      scope: 'api',
      email: buyer.email,
    });

  const history = async (token: string | undefined, query = '') =>
    fetch(`${platform.apiUrl}/v1/users/me/notifications${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('lists what was sent to the caller, newest first, a page at a time', async () => {
    const buyer = newBuyer();
    const other = newBuyer();
    const first = purchased(buyer, newEvent({ name: 'First' }));
    const second = purchased(buyer, newEvent({ name: 'Second' }));
    await publish(first);
    await emailsFor(platform.mailUrl, buyer.email, 1);
    await publish(second);
    await emailsFor(platform.mailUrl, buyer.email, 2);
    await publish(cancelled(first.data, 'customer'), purchased(other, newEvent({ name: 'Not yours' })));
    await emailsFor(platform.mailUrl, buyer.email, 3);
    await emailsFor(platform.mailUrl, other.email, 1);
    const token = await tokenFor(buyer);

    const page1 = await history(token, '?limit=2');
    expect(page1.status).toBe(200);
    const body1 = (await page1.json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(body1.items.map((item) => item.subject)).toEqual([
      'Your order for First is cancelled',
      'Your tickets for Second',
    ]);
    expect(body1.items[0]).toMatchObject({
      kind: 'cancellation',
      orderId: first.data.orderId,
      eventId: first.data.eventId,
    });
    expect(body1.items[1]).toMatchObject({ kind: 'confirmation', orderId: second.data.orderId });
    expect(typeof body1.items[0]?.sentAt).toBe('string');
    expect(body1.nextCursor).toEqual(expect.any(String));

    const page2 = await history(token, `?limit=2&cursor=${encodeURIComponent(body1.nextCursor ?? '')}`);
    const body2 = (await page2.json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(body2.items.map((item) => item.subject)).toEqual(['Your tickets for First']);
    expect(body2.nextCursor).toBeNull();
  });

  it('shows nobody else’s emails', async () => {
    const stranger = newBuyer();
    const response = await history(await tokenFor(stranger));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a caller without a token, and a cursor that is not ours', async () => {
    expect((await history(undefined)).status).toBe(401);
    const bad = await history(await tokenFor(newBuyer()), `?cursor=${randomUUID()}`);
    expect(bad.status).toBe(400);
  });
});
