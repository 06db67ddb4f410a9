// The contract between tickets and notifications, exercised for real: a purchase through the tickets API produces
// the confirmation email with the codes of the tickets sold, and a cancellation the cancellation email.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Platform } from '../../../local/platform';
import { type PayableOrder, paidOrder } from '../../support/payments';
import { withIssuedPlatform } from '../../support/platform';
import { buy, buyerHeaders, putOnSale } from '../../support/purchases';
import type { TestIssuer } from '../../support/tokens';
import { emailsFor } from './support';

let platform: Platform;
let issuer: TestIssuer;

withIssuedPlatform({ schedules: false }, (started) => {
  ({ platform, issuer } = started);
});

interface Order {
  id: string;
  tickets: { code: string }[];
}

describe('buying tickets', () => {
  it('emails the buyer a confirmation with the codes of the tickets sold, then the cancellation', async () => {
    const onSale = await putOnSale(
      {
        name: 'Harbour Lights',
        startsAt: '2027-02-14T10:00:00Z',
        endsAt: '2027-02-14T13:00:00Z',
        timezone: 'Australia/Sydney',
        place: 'Opera House, Sydney, AU',
      },
      { name: 'Stalls', price: 8900, currency: 'AUD', quantity: 10 },
    );
    const email = `journey-${randomUUID()}@example.com`;
    const headers = await buyerHeaders(issuer, platform.apiUrl, { email, givenName: 'Mia' });

    const response = await buy(platform.apiUrl, headers, onSale, 2);
    expect(response.status).toBe(201);
    // Paid through the payment webhook: the payment confirms the order and sends its tickets.
    const order = await paidOrder(
      platform.apiUrl,
      headers.authorization,
      (await response.json()) as Order & PayableOrder,
    );

    const [confirmation] = await emailsFor(platform.mailUrl, email, 1);
    expect(confirmation?.subject).toBe('Your tickets for Harbour Lights');
    for (const ticket of order.tickets) expect(confirmation?.text).toContain(ticket.code);
    // 10:00 UTC in February is 21:00 in Sydney (daylight saving time, UTC+11).
    expect(confirmation?.text).toContain('Sunday, 14 February 2027');
    expect(confirmation?.text).toContain('21:00');
    expect(confirmation?.text).toContain('Hi Mia,');
    expect(confirmation?.text).toContain('A$178.00');

    const cancel = await fetch(`${platform.apiUrl}/v1/orders/${order.id}/cancel`, {
      method: 'POST',
      headers,
    });
    expect(cancel.status).toBe(200);
    const emails = await emailsFor(platform.mailUrl, email, 2);
    expect(emails.map((sent) => sent.subject)).toContain('Your order for Harbour Lights is cancelled');
  });
});
