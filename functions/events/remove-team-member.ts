// DELETE /v1/organizer/team/members/{id}: the organizer takes someone off their team.
import { httpHandler, noContent } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { organizerOf } from './respond';
import { removeMember } from './team';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.removeTeamMember, async ({ caller, params, correlationId }) => {
    await removeMember(deps, organizerOf(caller), params.id, correlationId);
    return noContent();
  });
}

export const handler = makeHandler(realDeps());
