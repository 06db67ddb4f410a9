// GET /v1/tickets/{id}/qr.svg: the QR code of one of my tickets, as SVG (signed payload; see qr.ts).
import { httpHandler } from '../../layers/common/http';
import { type DoorDeps, doorDeps } from './door.deps';
import { tickets } from './manifest';
import { qrImage } from './qr-image';

export function makeHandler(deps: DoorDeps) {
  return httpHandler('tickets', tickets.routes.ticketQrSvg, async ({ params, caller }) =>
    qrImage(deps, params.id, caller, 'svg'),
  );
}

export const handler = makeHandler(doorDeps());
