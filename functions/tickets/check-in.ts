// POST /v1/events/{id}/check-ins: one scan at the door (a QR payload or a typed code) by the event's owner or team.
// 200 admitted; 409 already admitted (when and where first), cancelled or unpaid; 422 another event's; 404 unknown.
import { httpHandler, ok } from '../../layers/common/http';
import { resultOf } from './check-ins';
import { refusal, requireScanner, scanInputOf } from './door';
import { type DoorDeps, doorDeps } from './door.deps';
import { tickets } from './manifest';

export function makeHandler(deps: DoorDeps) {
  return httpHandler('tickets', tickets.routes.checkIn, async ({ params, body, caller }) => {
    await requireScanner(deps, params.id, caller);
    const scan = await scanInputOf(deps, params.id, body, deps.now(), caller);
    const result = scan === 'invalid-scan' ? { outcome: scan } : resultOf(await deps.admit(scan), scan);
    if (result.outcome !== 'admitted') throw refusal(result);
    return ok(result, { 'cache-control': 'no-store' });
  });
}

export const handler = makeHandler(doorDeps());
