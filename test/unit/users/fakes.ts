// In-memory stand-ins for the users service's storage, for unit tests of its rules.
import type {
  NewProfile,
  PictureStorage,
  Profile,
  ProfileStore,
  ProfilesDeps,
  StoredPicture,
} from '../../../functions/users/profiles';

export function memoryProfileStore(): ProfileStore & {
  profiles: Map<string, Profile>;
  processed: Set<string>;
} {
  const profiles = new Map<string, Profile>();
  const processed = new Set<string>();
  const insert = (profile: NewProfile) => {
    if (!profiles.has(profile.userId)) profiles.set(profile.userId, { ...profile, pictureKey: null });
    return { ...(profiles.get(profile.userId) as Profile) };
  };
  return {
    profiles,
    processed,
    find: async (userId) => (profiles.has(userId) ? { ...(profiles.get(userId) as Profile) } : undefined),
    createIfAbsent: async (profile) => insert(profile),
    createFromMessage: async (consumer, messageId, profile) => {
      const id = `${consumer}/${messageId}`;
      if (processed.has(id)) return false;
      processed.add(id);
      insert(profile);
      return true;
    },
    update: async (userId, changes) => {
      const current = profiles.get(userId);
      if (!current) return undefined;
      const next: Profile = {
        ...current,
        firstName: changes.firstName ?? current.firstName,
        lastName: changes.lastName ?? current.lastName,
        pictureKey: changes.pictureKey === undefined ? current.pictureKey : changes.pictureKey,
      };
      profiles.set(userId, next);
      return { profile: { ...next }, previousPictureKey: current.pictureKey };
    },
  };
}

export function memoryPictureStorage(): PictureStorage & {
  objects: Map<string, StoredPicture>;
  removed: string[];
  failRemoval: boolean;
} {
  const objects = new Map<string, StoredPicture>();
  const storage = {
    objects,
    removed: [] as string[],
    failRemoval: false,
    presignUpload: async ({ key, contentType }: { key: string; contentType: string }) => ({
      url: 'https://bucket.example/upload',
      fields: { key, 'Content-Type': contentType },
    }),
    inspect: async (key: string) => objects.get(key),
    viewUrl: async (key: string) => `https://bucket.example/${key}?signed`,
    remove: async (key: string) => {
      if (storage.failRemoval) throw new Error('bucket unavailable');
      storage.removed.push(key);
      objects.delete(key);
    },
  };
  return storage;
}

export function fakeDeps(overrides: Partial<ProfilesDeps> = {}) {
  const store = memoryProfileStore();
  const pictures = memoryPictureStorage();
  const warnings: string[] = [];
  let ids = 0;
  const deps: ProfilesDeps = {
    store,
    pictures,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    now: () => new Date('2030-01-01T12:00:00.000Z'),
    warn: (message) => warnings.push(message),
    ...overrides,
  };
  return { deps, store, pictures, warnings };
}
