// GET /v1/events/{id}: a published (or cancelled) event's page, with the tickets still for sale.
import { edgeCacheControl, httpHandler } from '../../layers/common/http';
import { cachedDeps } from './cached-deps';
import { viewPublicEvent } from './catalogue';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { answer } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.getEvent, async ({ params, correlationId }) => {
    const { view, degraded, etag } = await viewPublicEvent(deps, params.id, correlationId);
    // Remaining tickets change with every sale: the edge keeps the page for the route's second (its whole staleness
    // budget, as the snapshot is current), browsers revalidate it, which the ETag makes a cheap 304.
    return { ...answer(200, view, degraded, edgeCacheControl(events.routes.getEvent)), etag };
  });
}

export const handler = makeHandler(cachedDeps());
