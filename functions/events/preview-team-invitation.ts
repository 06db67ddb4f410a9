// POST /v1/team-invitations/preview: what the invitation token invites to (event, role) and whether it still can be
// answered. A POST so the token travels in the body, never in a URL that logs keep.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { PRIVATE } from './respond';
import { previewInvitation } from './team';
import { invitationView } from './team-views';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.previewTeamInvitation, async ({ body }) => ({
    statusCode: 200,
    body: invitationView(await previewInvitation(deps, body.token)),
    headers: { 'cache-control': PRIVATE },
  }));
}

export const handler = makeHandler(realDeps());
