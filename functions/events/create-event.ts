// POST /v1/events: a new draft event of the signed-in organizer.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { createEvent } from './organizer';
import { answer, organizerOf, PRIVATE } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.createEvent, async ({ caller, body }) => {
    const view = await createEvent(deps, organizerOf(caller), body);
    return answer(201, view, [], PRIVATE, { location: `/v1/organizer/events/${view.id}` });
  });
}

export const handler = makeHandler(realDeps());
