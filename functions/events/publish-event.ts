// POST /v1/events/{id}/publish: inventory is set up with tickets, then the event is on sale and in the catalogue.
import { httpHandler } from '../../layers/common/http';
import { cachedDeps } from './cached-deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { publishEvent } from './organizer';
import { answer, organizerOf, PRIVATE } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.publishEvent, async ({ caller, params, correlationId }) => {
    const { view, degraded } = await publishEvent(deps, organizerOf(caller), params.id, correlationId);
    return answer(200, view, degraded, PRIVATE);
  });
}

export const handler = makeHandler(cachedDeps());
