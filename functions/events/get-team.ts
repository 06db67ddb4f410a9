// GET /v1/organizer/team: the organizer's team members and pending invitations.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { organizerOf, PRIVATE } from './respond';
import { listTeam } from './team';
import { invitationView, memberView } from './team-views';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.getTeam, async ({ caller, query }) => {
    const team = await listTeam(deps, organizerOf(caller), query.eventId);
    return {
      statusCode: 200,
      body: { members: team.members.map(memberView), invitations: team.invitations.map(invitationView) },
      headers: { 'cache-control': PRIVATE },
    };
  });
}

export const handler = makeHandler(realDeps());
