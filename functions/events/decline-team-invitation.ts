// POST /v1/team-invitations/decline: the invitee says no; the invitation leaves the organizer's pending list.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { organizerOf } from './respond';
import { declineInvitation } from './team';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.declineTeamInvitation, async ({ caller, body }) => {
    await declineInvitation(deps, organizerOf(caller), body.token);
    return { statusCode: 204 };
  });
}

export const handler = makeHandler(realDeps());
