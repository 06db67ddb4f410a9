// POST /v1/organizer/team/invitations: the organizer invites someone by email to one event or all of theirs.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { organizerOf, PRIVATE } from './respond';
import { invite } from './team';
import { invitationView, nameOf } from './team-views';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.inviteTeamMember, async ({ caller, body, correlationId }) => {
    const organizer = { userId: organizerOf(caller), name: nameOf(caller) };
    const invitation = await invite(deps, organizer, body, correlationId);
    return {
      statusCode: 201,
      body: invitationView(invitation),
      headers: { 'cache-control': PRIVATE },
    };
  });
}

export const handler = makeHandler(realDeps());
