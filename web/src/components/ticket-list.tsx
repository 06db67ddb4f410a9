// Tickets with their codes as QR codes, and an .ics download to add the event to a calendar.

import { Fragment } from 'preact';
import { api } from '../api/client';
import { codeGroups } from '../lib/format';
import { icsFor } from '../lib/ics';
import { QrCode } from './qr-code';
import { Badge, download, useLoad } from './ui';

export interface TicketView {
  id: string;
  code: string;
  tierName: string;
  status: 'valid' | 'void';
}

export interface EventSummary {
  id: string;
  name: string;
  place: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
}

/** A ticket code that wraps only between its groups, so a narrow screen never splits one a person reads aloud. */
export function TicketCode({
  code,
  as: Tag = 'div',
  label,
}: {
  code: string;
  as?: 'div' | 'td';
  /** In a table that stacks on a phone (`.stacked`): the column's name, shown before the code there. */
  label?: string;
}) {
  return (
    <Tag class="code" data-label={label}>
      {codeGroups(code).map((group, index) => (
        <Fragment key={group}>
          {index > 0 && <wbr />}
          <span class="code-group">{group}</span>
        </Fragment>
      ))}
    </Tag>
  );
}

export function Tickets({ tickets, eventName }: { tickets: TicketView[]; eventName: string }) {
  return (
    <ul class="ticket-grid">
      {tickets.map((ticket) => (
        <li key={ticket.id} class={`ticket card ${ticket.status}`}>
          <SignedQr ticket={ticket} eventName={eventName} />
          <div>
            <strong>{ticket.tierName}</strong>
            <TicketCode code={ticket.code} />
            {ticket.status === 'void' && <Badge tone="bad">Void</Badge>}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** The QR code the door verifies (the ticket's signed payload); the plain code until it arrives, or without it. */
function SignedQr({ ticket, eventName }: { ticket: TicketView; eventName: string }) {
  const [load] = useLoad(
    async () => (await api.GET('/v1/tickets/{id}/qr', { params: { path: { id: ticket.id } } })).data,
    [ticket.id],
  );
  const payload = load.state === 'ready' ? load.data?.payload : undefined;
  return (
    <QrCode
      value={payload ?? ticket.code}
      code={ticket.code}
      label={`QR code of ticket ${ticket.code} for ${eventName}`}
    />
  );
}

export function AddToCalendar({ event }: { event: EventSummary }) {
  return (
    <button
      type="button"
      onClick={() =>
        download(
          new Blob(
            [
              icsFor({
                uid: event.id,
                name: event.name,
                startsAt: event.startsAt,
                endsAt: event.endsAt,
                place: event.place,
                url: `${location.origin}/events/${event.id}`,
              }),
            ],
            { type: 'text/calendar' },
          ),
          `${event.name.replace(/[^\p{L}\p{N}]+/gu, '-').toLowerCase() || 'event'}.ics`,
        )
      }
    >
      Add to calendar
    </button>
  );
}
