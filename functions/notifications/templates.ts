// Email templates: pure functions from what a message says to { subject, html, text }. Every value that came from a
// user (names, event names, places, tier names) is escaped in HTML; times are shown in the event's own time zone.
import type { EventSnapshot } from '../../events/contracts/catalogue';
import type { OrderCancelledV1, TicketPurchasedV1 } from '../../events/contracts/tickets';
import { escapeHtml, formatEventSpan, formatMoney, oneLine } from './format';

export interface Email {
  subject: string;
  html: string;
  text: string;
}

export interface ReminderData {
  firstName: string;
  event: EventSnapshot;
  ticketCodes: string[];
  ticketCount: number;
}

const BRAND = 'TicketOrLeaveIt';

const greeting = (firstName: string) => {
  const name = oneLine(firstName);
  return name ? `Hi ${name},` : 'Hello,';
};

/** HTML-escaped text; the only way values reach the HTML below. */
const h = escapeHtml;

function layout(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${h(title)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f5f5f7;font-family:Helvetica,Arial,sans-serif;color:#1d1d1f">',
    '<div style="max-width:600px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">',
    body,
    `<p style="margin-top:32px;font-size:12px;color:#6e6e73">${h(BRAND)}</p>`,
    '</div></body></html>',
  ].join('\n');
}

function eventDetailsHtml(event: EventSnapshot): string {
  return [
    '<table role="presentation" style="border-collapse:collapse;margin:16px 0">',
    `<tr><th align="left" style="padding:4px 12px 4px 0">Event</th><td>${h(event.name)}</td></tr>`,
    `<tr><th align="left" style="padding:4px 12px 4px 0">When</th><td>${h(span(event))}</td></tr>`,
    `<tr><th align="left" style="padding:4px 12px 4px 0">Where</th><td>${h(event.place)}</td></tr>`,
    '</table>',
  ].join('\n');
}

const span = (event: EventSnapshot) => formatEventSpan(event.startsAt, event.endsAt, event.timezone);

function eventDetailsText(event: EventSnapshot): string[] {
  return [`Event: ${oneLine(event.name)}`, `When:  ${span(event)}`, `Where: ${oneLine(event.place)}`];
}

const text = (lines: (string | false)[]) =>
  `${lines.filter((line): line is string => line !== false).join('\n')}\n`;

export function confirmationEmail(order: TicketPurchasedV1): Email {
  const { event, currency } = order;
  const subject = `Your tickets for ${oneLine(event.name)}`;
  const lines = order.items.map((item) => ({
    tier: item.tierName,
    quantity: item.quantity,
    unit: formatMoney(item.unitPrice, currency),
    subtotal: formatMoney(item.unitPrice * item.quantity, currency),
  }));
  const total = formatMoney(order.total, currency);
  const html = layout(
    subject,
    [
      `<p>${h(greeting(order.buyer.firstName))}</p>`,
      `<p>Thank you for your order. Your tickets for <strong>${h(event.name)}</strong> are confirmed.</p>`,
      eventDetailsHtml(event),
      '<h2 style="font-size:18px">Order summary</h2>',
      '<table style="border-collapse:collapse;width:100%">',
      '<tr><th align="left">Ticket</th><th align="right">Qty</th><th align="right">Price</th><th align="right">Subtotal</th></tr>',
      ...lines.map(
        (line) =>
          `<tr><td>${h(line.tier)}</td><td align="right">${line.quantity}</td>` +
          `<td align="right">${h(line.unit)}</td><td align="right">${h(line.subtotal)}</td></tr>`,
      ),
      `<tr><td colspan="3" align="right"><strong>Total</strong></td><td align="right"><strong>${h(total)}</strong></td></tr>`,
      '</table>',
      '<h2 style="font-size:18px">Your tickets</h2>',
      '<ul>',
      ...order.tickets.map(
        (ticket) =>
          `<li><code style="font-size:16px;font-weight:bold">${h(ticket.code)}</code> ${h(ticket.tierName)}</li>`,
      ),
      '</ul>',
      '<p>Show a ticket code at the entrance; each code admits one person once.</p>',
      `<p style="font-size:12px;color:#6e6e73">Order reference: ${h(order.orderId)}</p>`,
    ].join('\n'),
  );
  return {
    subject,
    html,
    text: text([
      greeting(order.buyer.firstName),
      '',
      `Thank you for your order. Your tickets for ${oneLine(event.name)} are confirmed.`,
      '',
      ...eventDetailsText(event),
      '',
      'Order summary',
      ...lines.map((line) => `  ${line.quantity} x ${oneLine(line.tier)} at ${line.unit}: ${line.subtotal}`),
      `  Total: ${total}`,
      '',
      'Your tickets',
      ...order.tickets.map((ticket) => `  ${ticket.code}  ${oneLine(ticket.tierName)}`),
      '',
      'Show a ticket code at the entrance; each code admits one person once.',
      `Order reference: ${order.orderId}`,
      '',
      `-- ${BRAND}`,
    ]),
  };
}

export function cancellationEmail(order: OrderCancelledV1): Email {
  const { event } = order;
  const name = oneLine(event.name);
  const refund = order.refund > 0 ? formatMoney(order.refund, order.currency) : undefined;
  const byOrganizer = order.reason === 'event-cancelled';
  const subject = byOrganizer ? `Cancelled: ${name}` : `Your order for ${name} is cancelled`;
  const opening = byOrganizer
    ? 'We are sorry: the organizer has cancelled this event. Your order is cancelled and its tickets are no longer valid.'
    : 'As you asked, your order is cancelled and its tickets are no longer valid.';
  const refundLine = refund
    ? `You will be refunded ${refund} to the payment method you used.`
    : 'There is nothing to refund on this order.';
  const html = layout(
    subject,
    [
      `<p>${h(greeting(order.buyer.firstName))}</p>`,
      `<p>${h(opening)}</p>`,
      eventDetailsHtml(event),
      `<p>${h(refundLine)}</p>`,
      `<p style="font-size:12px;color:#6e6e73">Order reference: ${h(order.orderId)}</p>`,
    ].join('\n'),
  );
  return {
    subject,
    html,
    text: text([
      greeting(order.buyer.firstName),
      '',
      opening,
      '',
      ...eventDetailsText(event),
      '',
      refundLine,
      `Order reference: ${order.orderId}`,
      '',
      `-- ${BRAND}`,
    ]),
  };
}

export function reminderEmail(reminder: ReminderData): Email {
  const { event } = reminder;
  const subject = `Reminder: ${oneLine(event.name)} is coming up`;
  const count = reminder.ticketCount === 1 ? 'one ticket' : `${reminder.ticketCount} tickets`;
  const intro = `${oneLine(event.name)} is coming up soon, and you hold ${count}.`;
  const html = layout(
    subject,
    [
      `<p>${h(greeting(reminder.firstName))}</p>`,
      `<p>${h(intro)}</p>`,
      eventDetailsHtml(event),
      reminder.ticketCodes.length > 0
        ? [
            '<p>Your ticket codes:</p>',
            '<ul>',
            ...reminder.ticketCodes.map(
              (code) => `<li><code style="font-size:16px;font-weight:bold">${h(code)}</code></li>`,
            ),
            '</ul>',
          ].join('\n')
        : '',
      '<p>See you there!</p>',
    ].join('\n'),
  );
  return {
    subject,
    html,
    text: text([
      greeting(reminder.firstName),
      '',
      intro,
      '',
      ...eventDetailsText(event),
      '',
      reminder.ticketCodes.length > 0 && 'Your ticket codes:',
      ...reminder.ticketCodes.map((code) => `  ${code}`),
      reminder.ticketCodes.length > 0 && '',
      'See you there!',
      '',
      `-- ${BRAND}`,
    ]),
  };
}
