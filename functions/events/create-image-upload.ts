// POST /v1/events/{id}/images: a presigned form to upload one promotional image of the organizer's event.
import { httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { startImageUpload } from './organizer';
import { answer, organizerOf, PRIVATE } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.createImageUpload, async ({ caller, params, body }) => {
    const upload = await startImageUpload(deps, organizerOf(caller), params.id, body.contentType);
    return answer(201, upload, [], PRIVATE);
  });
}

export const handler = makeHandler(realDeps());
