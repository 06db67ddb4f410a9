// GET /v1/users/me/notification-preferences: the optional emails the caller chose (none until they choose).
import { httpHandler, ok } from '../../layers/common/http';
import { users } from './manifest';
import { type PreferencesDeps, viewPreferences } from './preferences';
import { preferencesDeps } from './preferences.deps';
import { identityFromClaims } from './profiles';

export function makeHandler(deps: PreferencesDeps) {
  return httpHandler('users', users.routes.getNotificationPreferences, async ({ caller }) =>
    ok(await viewPreferences(deps, identityFromClaims(caller.claims)), {
      'cache-control': 'private, no-store',
    }),
  );
}

export const handler = makeHandler(preferencesDeps());
