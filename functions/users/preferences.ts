// Notification preferences: each user's choice of optional emails. They are stored with the profile and announced
// to notifications (which sends those emails) in the same transaction, so its copy never misses a change.
import { UsersMessageTypes } from '../../events/contracts/users';
import { type Envelope, envelope } from '../../layers/common/messages';
import type { NotificationPreferences } from './preferences.schemas';
import { type Identity, ownProfile, type Profile, type ProfilesDeps } from './profiles';

export const DEFAULT_PREFERENCES: NotificationPreferences = { dailySalesSummary: false, timeZone: null };

export interface PreferencesStore {
  find(userId: string): Promise<NotificationPreferences | undefined>;
  /** Stores the preferences and writes `announce(stored)` to the outbox in one transaction. */
  save(
    userId: string,
    preferences: NotificationPreferences,
    announce: (asOf: Date) => Envelope,
  ): Promise<NotificationPreferences>;
}

export interface PreferencesDeps extends ProfilesDeps {
  preferences: PreferencesStore;
  /** Publishes what the outbox holds; a failure leaves it to the scheduled relay. */
  relay: () => Promise<void>;
}

export async function viewPreferences(deps: PreferencesDeps, identity: Identity) {
  return (await deps.preferences.find(identity.userId)) ?? DEFAULT_PREFERENCES;
}

const announcement =
  (profile: Profile, preferences: NotificationPreferences, correlationId: string) => (asOf: Date) => {
    const { type, version } = UsersMessageTypes.NotificationPreferencesChanged;
    return envelope(
      'users',
      type,
      version,
      {
        userId: profile.userId,
        email: profile.email,
        firstName: profile.firstName,
        ...preferences,
        asOf: asOf.toISOString(),
      },
      correlationId,
    );
  };

export async function setPreferences(
  deps: PreferencesDeps,
  identity: Identity,
  preferences: NotificationPreferences,
  correlationId: string,
): Promise<NotificationPreferences> {
  // The profile gives the address and name notifications sends with, and is the row the preferences hang on.
  const profile = await ownProfile(deps, identity);
  const saved = await deps.preferences.save(
    profile.userId,
    preferences,
    announcement(profile, preferences, correlationId),
  );
  await deps.relay();
  return saved;
}
