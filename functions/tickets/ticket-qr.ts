// GET /v1/tickets/{id}/qr: the signed payload of one of my tickets' QR code, for apps that draw the code themselves.

import { NotFoundError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { type DoorDeps, doorDeps } from './door.deps';
import { tickets } from './manifest';
import { PRIVATE } from './respond';

export function makeHandler(deps: DoorDeps) {
  return httpHandler('tickets', tickets.routes.ticketQr, async ({ params, caller }) => {
    const ticket = await deps.heldTicket(params.id, caller.userId);
    if (!ticket) throw new NotFoundError('You have no ticket with this id.');
    return ok({ ticketId: ticket.ticketId, payload: await deps.signQr(ticket) }, PRIVATE);
  });
}

export const handler = makeHandler(doorDeps());
