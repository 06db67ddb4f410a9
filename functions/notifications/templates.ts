// Email templates: pure functions from what a message says to { subject, html, text }. Every value that came from a
// user (names, event names, places, tier names) is escaped in HTML; times are shown in the event's own time zone.
import type { EventSnapshot } from '../../events/contracts/catalogue';
import type { OrderCancelledV1, TicketPurchasedV1 } from '../../events/contracts/tickets';
import type { EventDetails } from './event-changes';
import { escapeHtml, formatEventSpan, formatEventTime, formatMoney, oneLine } from './format';
import type { Attachment } from './mailer';

export interface Email {
  subject: string;
  html: string;
  text: string;
  attachments?: Attachment[];
}

/**
 * What an email can say beyond the ticket message: the street address or join link and the organizer's reason
 * (from catalogue-events), the web app to link to, and the inline image of each ticket's QR code by ticket id.
 */
export interface Extras {
  details?: EventDetails;
  webAppUrl?: string;
  qrCids?: ReadonlyMap<string, string>;
}

export interface ReminderData {
  firstName: string;
  event: EventSnapshot;
  ticketCodes: string[];
  ticketCount: number;
}

export const BRAND = 'TicketOrLeaveIt';

export const greeting = (firstName: string) => {
  const name = oneLine(firstName);
  return name ? `Hi ${name},` : 'Hello,';
};

/** HTML-escaped text; the only way values reach the HTML below. */
export const h = escapeHtml;

export function layout(title: string, body: string): string {
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

/** The place as an email shows it: the venue's street address and a map search, or the link to join online. */
export function whereOf(event: EventSnapshot, details?: EventDetails) {
  const location = details?.location;
  if (location && 'onlineUrl' in location)
    return { online: true, lines: ['Online'], link: location.onlineUrl };
  if (location) {
    const street = [location.address, location.city, location.country].map(oneLine).join(', ');
    const map = `https://www.openstreetmap.org/search?query=${encodeURIComponent(street)}`;
    return { online: false, lines: [oneLine(location.venue), street], link: map };
  }
  return { online: event.place === 'Online', lines: [oneLine(event.place)], link: undefined };
}

export function eventDetailsHtml(event: EventSnapshot, details?: EventDetails): string {
  const where = whereOf(event, details);
  const label = where.online ? 'Join online' : 'Map';
  const link = where.link ? `<br><a href="${h(where.link)}">${h(label)}</a>` : '';
  return [
    '<table role="presentation" style="border-collapse:collapse;margin:16px 0">',
    `<tr><th align="left" style="padding:4px 12px 4px 0">Event</th><td>${h(event.name)}</td></tr>`,
    `<tr><th align="left" style="padding:4px 12px 4px 0">When</th><td>${h(span(event))}</td></tr>`,
    `<tr><th align="left" style="padding:4px 12px 4px 0;vertical-align:top">Where</th><td>${where.lines.map(h).join('<br>')}${link}</td></tr>`,
    '</table>',
  ].join('\n');
}

export const span = (event: EventSnapshot) => formatEventSpan(event.startsAt, event.endsAt, event.timezone);

export function eventDetailsText(event: EventSnapshot, details?: EventDetails): string[] {
  const where = whereOf(event, details);
  return [
    `Event: ${oneLine(event.name)}`,
    `When:  ${span(event)}`,
    `Where: ${where.lines.join(', ')}`,
    ...(where.link ? [`${where.online ? 'Join: ' : 'Map:  '} ${where.link}`] : []),
  ];
}

/** What a ticket is for at the door: a code to show in person, nothing to show online. */
const admissionLine = (online: boolean) =>
  online
    ? 'This is an online event: join with the link above when it starts.'
    : 'Show a ticket code (or its QR code) at the entrance; each code admits one person once.';

export const text = (lines: (string | false)[]) =>
  `${lines.filter((line): line is string => line !== false).join('\n')}\n`;

export function confirmationEmail(order: TicketPurchasedV1, extras: Extras = {}): Email {
  const { event, currency } = order;
  const online = whereOf(event, extras.details).online;
  const orderUrl = extras.webAppUrl ? `${extras.webAppUrl}/orders/${order.orderId}` : undefined;
  const qrImage = (ticketId: string) => {
    const cid = extras.qrCids?.get(ticketId);
    return cid
      ? `<br><img src="cid:${h(cid)}" alt="QR code of this ticket" width="200" height="200" style="display:block;margin:8px 0">`
      : '';
  };
  const subject = `Your tickets for ${oneLine(event.name)}`;
  const lines = order.items.map((item) => ({
    tier: item.tierName,
    quantity: item.quantity,
    unit: formatMoney(item.unitPrice, currency),
    subtotal: formatMoney(item.unitPrice * item.quantity, currency),
  }));
  const total = formatMoney(order.total, currency);
  // The refund policy the order was bought under (absent: a free order, or a message from before policies).
  const refundLine =
    order.refundableUntil === undefined
      ? undefined
      : order.refundableUntil === null
        ? 'This order is not refundable: the organizer does not refund cancellations for this event.'
        : `You can cancel this order for a full refund until ${formatEventTime(order.refundableUntil, event.timezone)}.`;
  const html = layout(
    subject,
    [
      `<p>${h(greeting(order.buyer.firstName))}</p>`,
      `<p>Thank you for your order. Your tickets for <strong>${h(event.name)}</strong> are confirmed.</p>`,
      eventDetailsHtml(event, extras.details),
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
          `<li><code style="font-size:16px;font-weight:bold">${h(ticket.code)}</code> ${h(ticket.tierName)}${qrImage(ticket.id)}</li>`,
      ),
      '</ul>',
      `<p>${h(admissionLine(online))}</p>`,
      refundLine ? `<p>${h(refundLine)}</p>` : '',
      orderUrl ? `<p><a href="${h(orderUrl)}">See your order and tickets</a></p>` : '',
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
      ...eventDetailsText(event, extras.details),
      '',
      'Order summary',
      ...lines.map((line) => `  ${line.quantity} x ${oneLine(line.tier)} at ${line.unit}: ${line.subtotal}`),
      `  Total: ${total}`,
      '',
      'Your tickets',
      ...order.tickets.map((ticket) => `  ${ticket.code}  ${oneLine(ticket.tierName)}`),
      '',
      admissionLine(online),
      refundLine ?? false,
      orderUrl ? `Your order and tickets: ${orderUrl}` : false,
      `Order reference: ${order.orderId}`,
      '',
      `-- ${BRAND}`,
    ]),
  };
}

export function cancellationEmail(order: OrderCancelledV1, extras: Extras = {}): Email {
  const { event } = order;
  const name = oneLine(event.name);
  const refund = order.refund > 0 ? formatMoney(order.refund, order.currency) : undefined;
  const byOrganizer = order.reason === 'event-cancelled';
  const subject = byOrganizer ? `Cancelled: ${name}` : `Your order for ${name} is cancelled`;
  const opening = {
    'event-cancelled':
      'We are sorry: the organizer has cancelled this event. Your order is cancelled and its tickets are no longer valid.',
    organizer: 'We are sorry: the organizer has cancelled your order. Its tickets are no longer valid.',
    'payment-late':
      'Your payment arrived after the time your seats were held for you, and they had been sold in the meantime, so we ' +
      'could not confirm your order.',
    customer: 'As you asked, your order is cancelled and its tickets are no longer valid.',
  }[order.reason];
  const reason = byOrganizer ? extras.details?.cancelReason : undefined;
  const reasonLine = reason ? `The organizer's reason: ${oneLine(reason)}` : undefined;
  // Said as the payment provider reported it when the order was cancelled.
  const refundLine = !refund
    ? 'There is nothing to refund on this order.'
    : order.refundStatus === 'failed'
      ? `Refunding ${refund} failed at our payment provider; we are looking into it and will contact you.`
      : `We have asked our payment provider to refund ${refund} to the payment method you used; refunds usually arrive within 5 to 10 business days.`;
  const html = layout(
    subject,
    [
      `<p>${h(greeting(order.buyer.firstName))}</p>`,
      `<p>${h(opening)}</p>`,
      reasonLine ? `<p>${h(reasonLine)}</p>` : '',
      eventDetailsHtml(event, extras.details),
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
      reasonLine ?? false,
      '',
      ...eventDetailsText(event, extras.details),
      '',
      refundLine,
      `Order reference: ${order.orderId}`,
      '',
      `-- ${BRAND}`,
    ]),
  };
}

export function reminderEmail(reminder: ReminderData, extras: Extras = {}): Email {
  const { event } = reminder;
  const online = whereOf(event, extras.details).online;
  const ticketsUrl = extras.webAppUrl ? `${extras.webAppUrl}/tickets` : undefined;
  const subject = `Reminder: ${oneLine(event.name)} is coming up`;
  const count = reminder.ticketCount === 1 ? 'one ticket' : `${reminder.ticketCount} tickets`;
  const intro = `${oneLine(event.name)} is coming up soon, and you hold ${count}.`;
  const html = layout(
    subject,
    [
      `<p>${h(greeting(reminder.firstName))}</p>`,
      `<p>${h(intro)}</p>`,
      eventDetailsHtml(event, extras.details),
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
      `<p>${h(admissionLine(online))}</p>`,
      ticketsUrl ? `<p><a href="${h(ticketsUrl)}">Your tickets</a></p>` : '',
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
      ...eventDetailsText(event, extras.details),
      '',
      reminder.ticketCodes.length > 0 && 'Your ticket codes:',
      ...reminder.ticketCodes.map((code) => `  ${code}`),
      reminder.ticketCodes.length > 0 && '',
      admissionLine(online),
      ticketsUrl ? `Your tickets: ${ticketsUrl}` : false,
      'See you there!',
      '',
      `-- ${BRAND}`,
    ]),
  };
}
