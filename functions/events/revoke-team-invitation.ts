// DELETE /v1/organizer/team/invitations/{id}: the organizer withdraws a pending invitation.
import { httpHandler, noContent } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { organizerOf } from './respond';
import { revokeInvitation } from './team';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.revokeTeamInvitation, async ({ caller, params }) => {
    await revokeInvitation(deps, organizerOf(caller), params.id);
    return noContent();
  });
}

export const handler = makeHandler(realDeps());
