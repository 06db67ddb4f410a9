// PATCH /v1/organizer/team/members/{id}: the organizer changes a member's role.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { organizerOf, PRIVATE } from './respond';
import { changeMemberRole } from './team';
import { memberView } from './team-views';

export function makeHandler(deps: EventsDeps) {
  return httpHandler(
    'events',
    events.routes.changeTeamMember,
    async ({ caller, params, body, correlationId }) => {
      const member = await changeMemberRole(deps, organizerOf(caller), params.id, body.role, correlationId);
      return { statusCode: 200, body: memberView(member), headers: { 'cache-control': PRIVATE } };
    },
  );
}

export const handler = makeHandler(realDeps());
