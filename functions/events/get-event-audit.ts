// GET /v1/organizer/events/{id}/audit: who changed what on an event, for its organizer and managers.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { organizerOf, PRIVATE } from './respond';
import { eventAudit } from './team';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.getEventAudit, async ({ caller, params, query }) => ({
    statusCode: 200,
    body: await eventAudit(deps, organizerOf(caller), params.id, query),
    headers: { 'cache-control': PRIVATE },
  }));
}

export const handler = makeHandler(realDeps());
