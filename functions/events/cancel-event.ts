// POST /v1/events/{id}/cancel: sales stop at once and the cancellation is announced to tickets and notifications.
// The body ({ reason }) is optional, so a bare POST cancels too.
import { ValidationError } from '../../layers/common/errors';
import { type HttpEvent, httpHandler } from '../../layers/common/http';
import { issuesToFieldErrors } from '../../layers/common/validation';
import { cachedDeps } from './cached-deps';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { cancelEvent } from './organizer';
import { cancelEventBody } from './requests.schemas';
import { answer, organizerOf, PRIVATE } from './respond';

/** The reason, if a JSON body gives one. */
function reasonOf(event: HttpEvent): string | undefined {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (raw.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ValidationError([
      { in: 'body', field: '', message: 'The body must be JSON: { "reason": "..." }.' },
    ]);
  }
  const parsed = cancelEventBody.safeParse(json);
  if (!parsed.success) throw new ValidationError(issuesToFieldErrors('body', parsed.error.issues));
  return parsed.data.reason;
}

export function makeHandler(deps: EventsDeps) {
  return httpHandler(
    'events',
    events.routes.cancelEvent,
    async ({ caller, params, event, correlationId }) => {
      const reason = reasonOf(event);
      const result = await cancelEvent(deps, organizerOf(caller), params.id, reason, correlationId);
      return answer(200, result.view, result.degraded, PRIVATE);
    },
  );
}

export const handler = makeHandler(cachedDeps());
