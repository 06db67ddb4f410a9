// Emails that carry what people need, end to end through the real notifications service, its PostgreSQL and
// maildev: the confirmation shows each ticket's QR code inline and carries a calendar file that parses; emails show
// the street address with a map link, or the join link of an online event; moving an event emails each holder once
// and re-times their reminder; a cancellation gives the organizer's reason; a team invitation carries its token.
import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import jsQR from 'jsqr';
import type pg from 'pg';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_EVENTS_TOPIC,
  CatalogueMessageTypes,
  type EventCancelledV1,
  type EventChangedV1,
} from '../../../events/contracts/catalogue';
import { type TeamInvitationSentV1, TeamMessageTypes } from '../../../events/contracts/team-invitations';
import { TICKET_EVENTS_TOPIC, type TicketPurchasedV1 } from '../../../events/contracts/tickets';
import { notifications } from '../../../functions/notifications/manifest';
import type { ServiceManifest } from '../../../layers/common/manifest';
import { type Envelope, envelope } from '../../../layers/common/messages';
import { awsPublisher } from '../../../layers/common/publisher';
import type { Platform } from '../../../local/platform';
import {
  type CaughtEmail,
  cancelled,
  drained,
  emailsFor,
  eventually,
  inbox,
  newBuyer,
  newEvent,
  notificationsPlatform,
  purchased,
} from './support';

interface CaughtAttachment {
  contentType: string;
  contentId?: string;
  fileName?: string;
  generatedFileName: string;
}

/** Notifications with the consumers these emails go through (others may subscribe to topics not run here). */
const notificationsHere: ServiceManifest = {
  ...notifications,
  consumers: {
    ticketEvents: notifications.consumers.ticketEvents,
    catalogueEvents: notifications.consumers.catalogueEvents,
  },
};

let platform: Platform;
let db: pg.Pool;

notificationsPlatform({ service: notificationsHere }, (started) => {
  ({ platform, db } = started);
});

const VENUE = { venue: 'Olympia', address: '28 boulevard des Capucines', city: 'Paris', country: 'France' };

function changed(
  show: ReturnType<typeof newEvent>,
  overrides: Partial<EventChangedV1> = {},
): Envelope<EventChangedV1> {
  const data: EventChangedV1 = {
    eventId: show.eventId,
    organizerId: randomUUID(),
    name: show.event.name,
    startsAt: show.event.startsAt,
    endsAt: show.event.endsAt,
    timezone: show.event.timezone,
    location: VENUE,
    place: 'Olympia, Paris, France',
    changed: [],
    asOf: new Date().toISOString(),
    ...overrides,
  };
  const { type, version } = CatalogueMessageTypes.EventChanged;
  return envelope('events', type, version, data, `test-${randomUUID()}`);
}

const publishCatalogue = (message: Envelope) =>
  awsPublisher.publish({ topic: CATALOGUE_EVENTS_TOPIC }, [message]);
const publishTickets = (message: Envelope) => awsPublisher.publish({ topic: TICKET_EVENTS_TOPIC }, [message]);

/** Waits until notifications has kept the event's details (from EventChanged or EventCancelled). */
const detailsKept = (eventId: string, column: 'location' | 'cancel_reason' = 'location') =>
  eventually(async () => {
    const { rows } = await db.query(
      `SELECT 1 FROM event_details WHERE event_id = $1 AND ${column} IS NOT NULL`,
      [eventId],
    );
    return rows[0];
  });

const withQr = (message: Envelope<TicketPurchasedV1>) => {
  for (const ticket of message.data.tickets) ticket.qr = `eyJhbGciOiJFZERTQSJ9.${ticket.id}.signature`;
  return message;
};

async function attachment(email: CaughtEmail, file: CaughtAttachment): Promise<Buffer> {
  const response = await fetch(
    `${platform.mailUrl}/api/email/${email.id}/attachment/${encodeURIComponent(file.generatedFileName)}`,
  );
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

const attachmentsOf = (email: CaughtEmail) =>
  (email as CaughtEmail & { attachments?: CaughtAttachment[] }).attachments ?? [];

describe('the confirmation email', () => {
  it('shows each ticket’s QR code inline and attaches a calendar file that parses', async () => {
    // Prepare
    const buyer = newBuyer();
    const show = newEvent();
    await publishCatalogue(changed(show));
    await detailsKept(show.eventId);
    const order = withQr(purchased(buyer, show, { quantity: 2 }));

    // Act
    await publishTickets(order);
    const [email] = await emailsFor(platform.mailUrl, buyer.email);
    if (!email) throw new Error('no email');

    // Assess: one PNG per ticket, inline, each decoding to that ticket's signed payload
    const files = attachmentsOf(email);
    const images = files.filter((file) => file.contentType === 'image/png');
    expect(images).toHaveLength(2);
    const decoded: string[] = [];
    for (const image of images) {
      expect(image.contentId).toBeTruthy();
      const png = PNG.sync.read(await attachment(email, image));
      const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      decoded.push(qr?.data ?? '');
    }
    expect(decoded.sort()).toEqual(order.data.tickets.map((ticket) => ticket.qr).sort());
    // The HTML shows them where it names their cid (maildev's inbox resolves each cid into the image itself).
    const shown = [...email.html.matchAll(/<img src="([^"]+)" alt="QR code of this ticket"/g)].map(
      (m) => m[1],
    );
    expect(shown).toHaveLength(2);
    for (const src of shown) expect(src).toMatch(/^(cid:qr-|data:image\/png;base64,)/);

    const calendar = files.find((file) => file.contentType.startsWith('text/calendar'));
    if (!calendar) throw new Error('no .ics attached');
    const vevent = new ICAL.Component(
      ICAL.parse((await attachment(email, calendar)).toString('utf8')),
    ).getFirstSubcomponent('vevent');
    if (!vevent) throw new Error('no VEVENT');
    const ev = new ICAL.Event(vevent);
    expect(ev.summary).toBe(show.event.name);
    // To the second: calendar times carry no milliseconds.
    const toSecond = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000;
    expect(ev.startDate.toJSDate().getTime()).toBe(toSecond(show.event.startsAt));
    expect(ev.endDate.toJSDate().getTime()).toBe(toSecond(show.event.endsAt));
    expect(ev.location).toContain('28 boulevard des Capucines');

    // and the street address, a map link, the entrance line and a link to the order
    expect(email.text).toContain('28 boulevard des Capucines, Paris, France');
    expect(email.html).toContain(
      'https://www.openstreetmap.org/search?query=28%20boulevard%20des%20Capucines',
    );
    expect(email.text).toContain('at the entrance');
    expect(email.text).toContain(`/orders/${order.data.orderId}`);
  });

  it('gives an online event’s join link, and no entrance to show a code at', async () => {
    const buyer = newBuyer();
    const show = newEvent({ place: 'Online' });
    await publishCatalogue(
      changed(show, { location: { onlineUrl: 'https://meet.example.com/jazz-42' }, place: 'Online' }),
    );
    await detailsKept(show.eventId);
    await publishTickets(purchased(buyer, show, { quantity: 1 }));
    const [email] = await emailsFor(platform.mailUrl, buyer.email);
    expect(email?.text).toContain('https://meet.example.com/jazz-42');
    expect(email?.html).toContain('href="https://meet.example.com/jazz-42"');
    expect(email?.text).not.toContain('entrance');
    // The plain code stands in for a QR code the message does not carry.
    expect(attachmentsOf(email as CaughtEmail).filter((file) => file.contentType === 'image/png')).toEqual(
      [],
    );
  });
});

describe('an event that moves', () => {
  it('emails each holder once, and times their reminder from the new start', async () => {
    // Prepare: two holders, one of them with a reminder claimed for the old start
    const show = newEvent({ startsInMs: 20 * 3_600_000 });
    const [ada, bob] = [newBuyer('Ada'), newBuyer('Bob')];
    await publishCatalogue(changed(show));
    await detailsKept(show.eventId);
    await publishTickets(purchased(ada, show));
    await publishTickets(purchased(bob, show));
    await emailsFor(platform.mailUrl, ada.email);
    await emailsFor(platform.mailUrl, bob.email);
    await db.query('INSERT INTO reminders (event_id, user_id, starts_at) VALUES ($1, $2, $3)', [
      show.eventId,
      ada.userId,
      show.event.startsAt,
    ]);
    const startsAt = new Date(Date.parse(show.event.startsAt) + 7 * 86_400_000).toISOString();
    const endsAt = new Date(Date.parse(show.event.endsAt) + 7 * 86_400_000).toISOString();
    const move = changed(show, {
      startsAt,
      endsAt,
      changed: ['time'],
      previous: { startsAt: show.event.startsAt, place: 'Olympia, Paris, France' },
    });

    // Act: the message, and a redelivered copy of it
    await publishCatalogue(move);
    await publishCatalogue(move);
    const [, adaMoved] = await emailsFor(platform.mailUrl, ada.email, 2);
    const [, bobMoved] = await emailsFor(platform.mailUrl, bob.email, 2);
    await drained(platform.awsEndpoint, platform.queueUrls['notifications-catalogue-events'] as string);

    // Assess
    expect(adaMoved?.subject).toBe(`New time: ${show.event.name}`);
    expect(bobMoved?.text).toContain('It was to start');
    expect(await inbox(platform.mailUrl, ada.email)).toHaveLength(2);
    expect(await inbox(platform.mailUrl, bob.email)).toHaveLength(2);
    const { rows: holdings } = await db.query(
      'SELECT DISTINCT event_starts_at FROM holdings WHERE event_id = $1',
      [show.eventId],
    );
    expect(holdings.map((row) => row.event_starts_at.toISOString())).toEqual([startsAt]);
    const { rows: reminders } = await db.query('SELECT 1 FROM reminders WHERE event_id = $1', [show.eventId]);
    expect(reminders).toEqual([]);
  });
});

describe('a cancellation by the organizer', () => {
  it('gives the organizer’s reason', async () => {
    const buyer = newBuyer();
    const show = newEvent();
    const order = purchased(buyer, show);
    await publishTickets(order);
    await emailsFor(platform.mailUrl, buyer.email);
    const data: EventCancelledV1 = {
      eventId: show.eventId,
      organizerId: randomUUID(),
      name: show.event.name,
      startsAt: show.event.startsAt,
      timezone: show.event.timezone,
      reason: 'The singer has lost her voice',
    };
    const { type, version } = CatalogueMessageTypes.EventCancelled;
    await publishCatalogue(envelope('events', type, version, data, 'test'));
    await detailsKept(show.eventId, 'cancel_reason');
    await publishTickets(cancelled(order.data, 'event-cancelled'));
    const [, email] = await emailsFor(platform.mailUrl, buyer.email, 2);
    expect(email?.text).toContain('The singer has lost her voice');
  });
});

describe('a team invitation', () => {
  it('emails the invitee the token to accept with', async () => {
    const email = `invitee-${randomUUID()}@example.com`;
    const data: TeamInvitationSentV1 = {
      invitationId: randomUUID(),
      organizerId: randomUUID(),
      organizerName: 'Grace Hopper',
      eventId: randomUUID(),
      eventName: 'Jazz at the Sunset',
      email,
      role: 'check-in',
      token: 'T'.repeat(43),
      expiresAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
    };
    const { type, version } = TeamMessageTypes.TeamInvitationSent;
    await publishCatalogue(envelope('events', type, version, data, 'test'));
    const [invitation] = await emailsFor(platform.mailUrl, email);
    expect(invitation?.subject).toContain('Grace Hopper invites you');
    expect(invitation?.text).toContain('check tickets in at the door of Jazz at the Sunset');
    expect(invitation?.text).toContain('T'.repeat(43));
  });
});
