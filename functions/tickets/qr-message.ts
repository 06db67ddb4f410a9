// The signed QR payload of each ticket of a TicketPurchased message (its optional `qr`), so the confirmation email
// shows the same code the ticket page does (Ed25519 signatures are deterministic: same ticket, same key, same code).
import type { TicketPurchasedV1 } from '../../events/contracts/tickets';
import { doorDeps } from './door.deps';

export async function withTicketQrs(
  data: TicketPurchasedV1,
  sign: (ticket: { ticketId: string; eventId: string }) => Promise<string> = doorDeps().signQr,
): Promise<TicketPurchasedV1> {
  const tickets = await Promise.all(
    data.tickets.map(async (ticket) => ({
      ...ticket,
      qr: await sign({ ticketId: ticket.id, eventId: data.eventId }),
    })),
  );
  return { ...data, tickets };
}
