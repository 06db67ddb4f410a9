// The real dependencies of the notification preferences routes: the profile deps plus their store and the relay.
import { once } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { relayNow } from '../../layers/common/outbox-relay';
import { realDeps } from './deps';
import type { PreferencesDeps } from './preferences';
import { pgPreferencesStore } from './preferences.store';

export const preferencesDeps = once(
  (): PreferencesDeps => ({
    ...realDeps(),
    preferences: pgPreferencesStore(() => getPool('users')),
    relay: () => relayNow('users'),
  }),
);
