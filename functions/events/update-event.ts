// PATCH /v1/events/{id}: the organizer changes their event; on sale, tickets agrees to the change first.
import { httpHandler } from '../../layers/common/http';
import { cachedDeps } from './cached-deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { updateEvent } from './organizer';
import { answer, organizerOf, PRIVATE } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.updateEvent, async ({ caller, params, body, correlationId }) => {
    const { view, degraded } = await updateEvent(deps, organizerOf(caller), params.id, body, correlationId);
    return answer(200, view, degraded, PRIVATE);
  });
}

export const handler = makeHandler(cachedDeps());
