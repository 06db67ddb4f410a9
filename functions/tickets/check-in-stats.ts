// GET /v1/events/{id}/check-ins/stats: admitted so far, by tier, by gate and per 5 minutes, for the event's staff.
import { httpHandler, ok } from '../../layers/common/http';
import { requireScanner } from './door';
import { type DoorDeps, doorDeps } from './door.deps';
import { tickets } from './manifest';

export function makeHandler(deps: DoorDeps) {
  return httpHandler('tickets', tickets.routes.checkInStats, async ({ params, caller }) => {
    await requireScanner(deps, params.id, caller);
    return ok({ eventId: params.id, ...(await deps.stats(params.id)) }, { 'cache-control': 'no-store' });
  });
}

export const handler = makeHandler(doorDeps());
