// GET /v1/tickets/qr-keys: the public keys that verify ticket QR codes (a JWKS), for scanners that check offline.
import { httpHandler, ok } from '../../layers/common/http';
import { type DoorDeps, doorDeps } from './door.deps';
import { tickets } from './manifest';

export function makeHandler(deps: DoorDeps) {
  return httpHandler('tickets', tickets.routes.qrKeys, async () =>
    ok(await deps.qrKeys(), { 'cache-control': 'public, max-age=3600' }),
  );
}

export const handler = makeHandler(doorDeps());
