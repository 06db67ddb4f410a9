// GET /v1/organizer/events/{id}: one of the organizer's events with capacity, sold and remaining per tier.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { viewOwnEvent } from './organizer';
import { answer, organizerOf, PRIVATE } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.getOwnEvent, async ({ caller, params, correlationId }) => {
    const { view, degraded } = await viewOwnEvent(deps, organizerOf(caller), params.id, correlationId);
    return answer(200, view, degraded, PRIVATE);
  });
}

export const handler = makeHandler(realDeps());
