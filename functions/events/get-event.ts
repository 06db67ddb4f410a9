// GET /v1/events/{id}: a published (or cancelled) event's page, with the tickets still for sale.
import { httpHandler } from '../../layers/common/http';
import { cachedDeps } from './cached-deps';
import { viewPublicEvent } from './catalogue';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { answer } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.getEvent, async ({ params, correlationId }) => {
    const { view, degraded } = await viewPublicEvent(deps, params.id, correlationId);
    // Remaining tickets change with every sale: shared caches may keep the page only briefly.
    return answer(200, view, degraded, 'public, max-age=5');
  });
}

export const handler = makeHandler(cachedDeps());
