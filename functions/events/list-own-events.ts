// GET /v1/organizer/events: the signed-in organizer's events, drafts included, with sales.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { listOwnEvents } from './organizer';
import { answer, organizerOf, PRIVATE } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.listOwnEvents, async ({ caller, query, correlationId }) => {
    const { page, degraded } = await listOwnEvents(deps, organizerOf(caller), query, correlationId);
    return answer(200, page, degraded, PRIVATE);
  });
}

export const handler = makeHandler(realDeps());
