// PUT /v1/users/me/notification-preferences: chooses the optional emails (the daily sales summary) and their zone.
import { httpHandler, ok } from '../../layers/common/http';
import { users } from './manifest';
import { type PreferencesDeps, setPreferences } from './preferences';
import { preferencesDeps } from './preferences.deps';
import { identityFromClaims } from './profiles';

export function makeHandler(deps: PreferencesDeps) {
  return httpHandler(
    'users',
    users.routes.setNotificationPreferences,
    async ({ caller, body, correlationId }) =>
      ok(await setPreferences(deps, identityFromClaims(caller.claims), body, correlationId), {
        'cache-control': 'private, no-store',
      }),
  );
}

export const handler = makeHandler(preferencesDeps());
