// The email templates: what each says, in HTML and in text, with user-supplied values escaped.
import { describe, expect, it } from 'vitest';
import type { OrderCancelledV1, TicketPurchasedV1 } from '../../../events/contracts/tickets';
import {
  cancellationEmail,
  confirmationEmail,
  reminderEmail,
} from '../../../functions/notifications/templates';

const order: TicketPurchasedV1 = {
  orderId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  eventId: '16fd2706-8baf-433b-82eb-8c7fada847da',
  buyer: { userId: 'b1a8c2f4-3e5d-4c6b-9a7f-0e1d2c3b4a59', email: 'ada@example.com', firstName: 'Ada' },
  event: {
    name: 'Rock & <Roll>',
    startsAt: '2026-12-31T23:30:00Z',
    endsAt: '2027-01-01T02:00:00Z',
    timezone: 'Asia/Tokyo',
    place: 'Budokan "Hall", Tokyo',
  },
  items: [
    {
      tierId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      tierName: 'VIP <front>',
      quantity: 2,
      unitPrice: 12000,
    },
  ],
  tickets: [
    {
      id: '1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      tierId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      tierName: 'VIP <front>',
      code: 'TK-AAAA1111',
    },
    {
      id: '2a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      tierId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      tierName: 'VIP <front>',
      code: 'TK-BBBB2222',
    },
  ],
  total: 24000,
  currency: 'JPY',
};

const cancellation = (reason: OrderCancelledV1['reason']): OrderCancelledV1 => ({
  orderId: order.orderId,
  eventId: order.eventId,
  buyer: order.buyer,
  event: order.event,
  refund: 24000,
  currency: 'JPY',
  reason,
});

describe('confirmationEmail', () => {
  const email = confirmationEmail(order);

  it('names the event in the subject', () => {
    expect(email.subject).toBe('Your tickets for Rock & <Roll>');
  });

  it('lists every ticket code, the order total and the local time in both parts', () => {
    for (const part of [email.html, email.text]) {
      expect(part).toContain('TK-AAAA1111');
      expect(part).toContain('TK-BBBB2222');
      expect(part).toContain('JP¥24,000');
      expect(part).toContain('JP¥12,000');
      expect(part).toContain('1 January 2027');
      expect(part).toContain('08:30');
      expect(part).toContain(order.orderId);
    }
  });

  it('escapes the event name, place and tier names in HTML but keeps them readable in text', () => {
    expect(email.html).toContain('Rock &amp; &lt;Roll&gt;');
    expect(email.html).toContain('Budokan &quot;Hall&quot;, Tokyo');
    expect(email.html).toContain('VIP &lt;front&gt;');
    expect(email.html).not.toContain('<Roll>');
    expect(email.html).not.toContain('<front>');
    expect(email.text).toContain('Rock & <Roll>');
  });

  it('greets without a name when the buyer gave none', () => {
    const anonymous = confirmationEmail({ ...order, buyer: { ...order.buyer, firstName: '' } });
    expect(anonymous.text.startsWith('Hello,')).toBe(true);
  });

  it("states the refund policy the order was bought under, in the event's time", () => {
    const refundable = confirmationEmail({ ...order, refundableUntil: '2026-12-29T23:30:00Z' });
    expect(refundable.text).toContain('You can cancel this order for a full refund until');
    expect(refundable.text).toMatch(/30 December 2026.*08:30.*Tokyo/);
    expect(confirmationEmail({ ...order, refundableUntil: null }).text).toContain(
      'This order is not refundable',
    );
    expect(confirmationEmail(order).text).not.toMatch(/refund/i);
  });

  it('keeps header injection out of the subject', () => {
    const evil = confirmationEmail({ ...order, event: { ...order.event, name: 'Show\r\nBcc: x@evil.test' } });
    expect(evil.subject).toBe('Your tickets for Show Bcc: x@evil.test');
  });
});

describe('cancellationEmail', () => {
  it('tells a buyer who cancelled that it was done as asked, with the refund', () => {
    const email = cancellationEmail(cancellation('customer'));
    expect(email.subject).toBe('Your order for Rock & <Roll> is cancelled');
    expect(email.text).toContain('As you asked');
    expect(email.text).toContain('JP¥24,000');
  });

  it('tells the holders of a cancelled event that the organizer cancelled it', () => {
    const email = cancellationEmail(cancellation('event-cancelled'));
    expect(email.subject).toBe('Cancelled: Rock & <Roll>');
    expect(email.text).toContain('the organizer has cancelled this event');
    expect(email.html).toContain('the organizer has cancelled this event');
    expect(email.html).not.toContain('As you asked');
  });

  it('says there is nothing to refund on a free order', () => {
    expect(cancellationEmail({ ...cancellation('customer'), refund: 0 }).text).toContain('nothing to refund');
  });
});

describe('reminderEmail', () => {
  it('says when and where, how many tickets, and their codes', () => {
    const email = reminderEmail({
      firstName: 'Ada',
      event: order.event,
      ticketCount: 2,
      ticketCodes: ['TK-AAAA1111', 'TK-BBBB2222'],
    });
    expect(email.subject).toBe('Reminder: Rock & <Roll> is coming up');
    expect(email.text).toContain('you hold 2 tickets');
    expect(email.text).toContain('08:30');
    expect(email.html).toContain('TK-BBBB2222');
    expect(email.html).toContain('Budokan &quot;Hall&quot;');
  });
});
