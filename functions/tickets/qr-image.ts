// A ticket's QR code as an image, for its holder only: the signed payload (qr.ts), drawn by the qrcode library (the PNG
// by layers/common/qr-png.ts).
import QRCode from 'qrcode';
import { NotFoundError } from '../../layers/common/errors';
import type { Caller, HttpResult } from '../../layers/common/http';
import { qrPng, qrSegments } from '../../layers/common/qr-png';
import type { DoorDeps } from './door.deps';
import { PRIVATE } from './respond';

/** Medium error correction survives a scuffed phone screen or print while keeping the code small. */
const OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export async function qrImage(
  deps: DoorDeps,
  ticketId: string,
  caller: Caller,
  format: 'svg' | 'png',
): Promise<HttpResult> {
  const ticket = await deps.heldTicket(ticketId, caller.userId);
  if (!ticket) throw new NotFoundError('You have no ticket with this id.');
  const payload = await deps.signQr(ticket);
  const body =
    format === 'svg'
      ? await QRCode.toString(qrSegments(payload), { ...OPTIONS, type: 'svg' })
      : qrPng(payload, { ...OPTIONS, width: 512 });
  return {
    statusCode: 200,
    body,
    headers: { ...PRIVATE, 'content-type': format === 'svg' ? 'image/svg+xml' : 'image/png' },
  };
}
