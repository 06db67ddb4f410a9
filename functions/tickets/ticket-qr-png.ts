// GET /v1/tickets/{id}/qr.png: the QR code of one of my tickets, as PNG (signed payload; see qr.ts).
import { httpHandler } from '../../layers/common/http';
import { type DoorDeps, doorDeps } from './door.deps';
import { tickets } from './manifest';
import { qrImage } from './qr-image';

export function makeHandler(deps: DoorDeps) {
  return httpHandler('tickets', tickets.routes.ticketQrPng, async ({ params, caller }) =>
    qrImage(deps, params.id, caller, 'png'),
  );
}

export const handler = makeHandler(doorDeps());
