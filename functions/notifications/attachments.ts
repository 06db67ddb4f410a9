// Files the confirmation carries: each ticket's QR code as an inline PNG (from the signed payload the tickets
// service put in the message; a ticket without one shows its plain code only), and the event as an .ics calendar
// entry (instants in UTC, which every calendar shows in its own zone; the event's zone is named in the description).
import { createEvent } from 'ics';
import type { TicketPurchasedV1 } from '../../events/contracts/tickets';
import { qrPng } from '../../layers/common/qr-png';
import type { EventDetails } from './event-changes';
import { oneLine } from './format';
import type { Attachment } from './mailer';
import { whereOf } from './templates';

/** The QR images, and the cid each ticket's image is shown under. */
export function qrImages(order: TicketPurchasedV1): {
  attachments: Attachment[];
  cids: Map<string, string>;
} {
  const cids = new Map<string, string>();
  const attachments: Attachment[] = [];
  for (const ticket of order.tickets) {
    if (!ticket.qr) continue;
    const cid = `qr-${ticket.id}@ticketorleaveit`;
    const content = qrPng(ticket.qr, { errorCorrectionLevel: 'M', margin: 2, width: 400 });
    attachments.push({ filename: `ticket-${ticket.code}.png`, contentType: 'image/png', content, cid });
    cids.set(ticket.id, cid);
  }
  return { attachments, cids };
}

/** The event as a calendar file; undefined (and no attachment) should the library refuse it. */
export function calendarFile(
  order: TicketPurchasedV1,
  details: EventDetails | undefined,
  orderUrl: string,
): Attachment | undefined {
  const { event } = order;
  const where = whereOf(event, details);
  const { error, value } = createEvent({
    uid: `${order.eventId}@ticketorleaveit`,
    productId: 'ticketorleaveit/tickets',
    method: 'PUBLISH',
    title: oneLine(event.name),
    start: Date.parse(event.startsAt),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: Date.parse(event.endsAt),
    endInputType: 'utc',
    endOutputType: 'utc',
    location: where.online ? (where.link ?? 'Online') : where.lines.join(', '),
    url: where.online && where.link ? where.link : orderUrl,
    description: [
      `Time zone of the event: ${event.timezone}.`,
      where.online && where.link ? `Join online: ${where.link}` : false,
      `Your order and tickets: ${orderUrl}`,
    ]
      .filter(Boolean)
      .join('\n'),
    status: 'CONFIRMED',
    busyStatus: 'BUSY',
  });
  if (error || !value) return undefined;
  return {
    filename: 'event.ics',
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: Buffer.from(value, 'utf8'),
  };
}
