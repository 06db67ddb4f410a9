// Emails about events, with the stores in memory: a moved event tells each holder once and its reminders follow the
// new start; emails give the street address and a map link, or the join link of an online event and no entrance;
// the organizer's reason for a cancellation; the QR image of each ticket where the confirmation lists it.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventChangedV1 } from '../../../events/contracts/catalogue';
import { onEventChanged } from '../../../functions/notifications/event-changes';
import { onReminderDue, onTicketPurchased } from '../../../functions/notifications/notifications';
import { cancellationEmail, confirmationEmail } from '../../../functions/notifications/templates';
import { ticketPurchase } from '../../support/ticket-messages';
import { fakeDeps, memoryLog } from './fakes';

const HOUR = 3_600_000;
const NOW = new Date('2026-06-01T12:00:00Z');
const VENUE = { venue: 'Olympia', address: '28 boulevard des Capucines', city: 'Paris', country: 'France' };

const purchase = (eventId: string, startsAt: Date) =>
  ticketPurchase(startsAt, { eventId, code: 'C-1', qr: 'payload' });

const change = (
  eventId: string,
  startsAt: Date,
  overrides: Partial<EventChangedV1> = {},
): EventChangedV1 => ({
  eventId,
  organizerId: randomUUID(),
  name: 'Show',
  startsAt: startsAt.toISOString(),
  endsAt: new Date(startsAt.getTime() + 2 * HOUR).toISOString(),
  timezone: 'Europe/Paris',
  location: VENUE,
  place: 'Olympia, Paris, France',
  changed: ['time'],
  previous: { startsAt: new Date(NOW.getTime() + HOUR).toISOString(), place: 'Olympia, Paris, France' },
  asOf: NOW.toISOString(),
  ...overrides,
});

describe('an event that moves', () => {
  it('emails each holder once, however often the change arrives, and not for an older change', async () => {
    const { deps, details, mailer } = fakeDeps();
    const eventId = randomUUID();
    const start = new Date(NOW.getTime() + 5 * HOUR);
    details.holders.push(
      ...[purchase(eventId, start), purchase(eventId, start)].map((order) => ({
        userId: order.buyer.userId,
        email: order.buyer.email,
        firstName: 'Ada',
        eventId,
        event: order.event,
        ticketCount: 1,
        ticketCodes: ['C-1'],
      })),
    );
    const moved = change(eventId, new Date(start.getTime() + 24 * HOUR));

    expect(await onEventChanged(deps, moved, memoryLog().log)).toEqual({ sent: 2, holders: 2 });
    expect(await onEventChanged(deps, moved, memoryLog().log)).toEqual({ sent: 0, holders: 2 });
    const older = { ...moved, asOf: new Date(NOW.getTime() - HOUR).toISOString() };
    expect(await onEventChanged(deps, older, memoryLog().log)).toBe('stale');
    expect(
      await onEventChanged(
        deps,
        { ...moved, changed: [], asOf: '2026-06-02T00:00:00.000Z' },
        memoryLog().log,
      ),
    ).toEqual({ sent: 0, holders: 0 });

    expect(mailer.sent).toHaveLength(2);
    expect(mailer.sent[0]?.subject).toBe('New time: Show');
    expect(mailer.sent[0]?.text).toContain('It was to start');
  });

  it('drops a reminder queued for the old start, and reminds again of the new one', async () => {
    const { deps, memory, mailer } = fakeDeps();
    const eventId = randomUUID();
    const oldStart = new Date(NOW.getTime() + HOUR);
    const order = purchase(eventId, oldStart);
    await onTicketPurchased(deps, order, NOW, memoryLog().log);
    const due = { eventId, userId: order.buyer.userId };
    expect(await onReminderDue(deps, { ...due, startsAt: oldStart.toISOString() }, memoryLog().log)).toBe(
      'sent',
    );

    // The event moves two hours later (as the EventChanged store update does to every holding).
    const newStart = new Date(NOW.getTime() + 3 * HOUR);
    const holding = memory.holdings.get(order.orderId);
    if (!holding) throw new Error('no holding');
    holding.event = { ...holding.event, startsAt: newStart.toISOString() };

    expect(await onReminderDue(deps, { ...due, startsAt: oldStart.toISOString() }, memoryLog().log)).toBe(
      'moved',
    );
    expect(await onReminderDue(deps, { ...due, startsAt: newStart.toISOString() }, memoryLog().log)).toBe(
      'sent',
    );
    const reminders = mailer.sent.filter((sent) => sent.key.startsWith('reminder:'));
    expect(reminders).toHaveLength(2);
    expect(reminders[1]?.text).toContain('17:00'); // 15:00 UTC in Paris in June
  });
});

describe('what the emails say', () => {
  const order = purchase(randomUUID(), new Date(NOW.getTime() + 48 * HOUR));

  it('gives the street address with a map link, the QR image of each ticket and a link to the order', () => {
    const cids = new Map([[order.tickets[0]?.id as string, 'qr-1@ticketorleaveit']]);
    const email = confirmationEmail(order, {
      details: { location: VENUE, cancelReason: null },
      webAppUrl: 'https://tickets.example',
      qrCids: cids,
    });
    expect(email.text).toContain('Olympia, 28 boulevard des Capucines, Paris, France');
    expect(email.html).toContain(
      'href="https://www.openstreetmap.org/search?query=28%20boulevard%20des%20Capucines%2C%20Paris%2C%20France"',
    );
    expect(email.html).toContain('<img src="cid:qr-1@ticketorleaveit"');
    expect(email.text).toContain(`https://tickets.example/orders/${order.orderId}`);
    expect(email.text).toContain('at the entrance');
  });

  it('gives an online event’s join link and no entrance', () => {
    const email = confirmationEmail(
      { ...order, event: { ...order.event, place: 'Online' } },
      { details: { location: { onlineUrl: 'https://meet.example.com/x?a=1&b=2' }, cancelReason: null } },
    );
    expect(email.html).toContain('href="https://meet.example.com/x?a=1&amp;b=2"');
    expect(email.text).toContain('Join:  https://meet.example.com/x?a=1&b=2');
    expect(email.text).not.toContain('entrance');
  });

  it('gives the organizer’s reason for a cancellation, and only theirs', () => {
    const cancellation = {
      orderId: order.orderId,
      eventId: order.eventId,
      buyer: order.buyer,
      event: order.event,
      refund: 2500,
      currency: 'EUR',
    };
    const details = { location: VENUE, cancelReason: 'Storm <warning>' };
    const byOrganizer = cancellationEmail({ ...cancellation, reason: 'event-cancelled' }, { details });
    expect(byOrganizer.text).toContain("The organizer's reason: Storm <warning>");
    expect(byOrganizer.html).toContain('Storm &lt;warning&gt;');
    const byBuyer = cancellationEmail({ ...cancellation, reason: 'customer' }, { details });
    expect(byBuyer.text).not.toContain('Storm');
  });
});
