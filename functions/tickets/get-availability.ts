// GET /v1/events/{id}/availability: remaining tickets per tier of an event that has inventory, from the shared
// snapshot (outdated by every change of the event's seats), with an ETag so an unchanged answer costs a 304.
import { NotFoundError } from '../../layers/common/errors';
import { edgeCacheControl, httpHandler, ok } from '../../layers/common/http';
import { snapshotAvailability } from './availability.snapshot';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.availability, async ({ params }) => {
    const [availability] = await snapshotAvailability(deps, [params.id]);
    if (!availability) throw new NotFoundError('This event is not on sale.');
    // The edge keeps the answer for the route's second, browsers revalidate it: with the ETag that is a cheap 304.
    const cacheControl = edgeCacheControl(tickets.routes.availability);
    return { ...ok(availability, { 'cache-control': cacheControl }), etag: availability };
  });
}

export const handler = makeHandler(realDeps());
