// POST /v1/team-invitations/accept: the signed-in account joins the team its invitation email names.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { organizerOf, PRIVATE } from './respond';
import { acceptInvitation } from './team';
import { memberView } from './team-views';

export function makeHandler(deps: EventsDeps) {
  return httpHandler(
    'events',
    events.routes.acceptTeamInvitation,
    async ({ caller, body, correlationId }) => {
      const member = await acceptInvitation(deps, organizerOf(caller), body.token, correlationId);
      return { statusCode: 200, body: memberView(member), headers: { 'cache-control': PRIVATE } };
    },
  );
}

export const handler = makeHandler(realDeps());
