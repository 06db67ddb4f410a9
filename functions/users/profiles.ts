// Profile rules: a registered user always has a profile (made from the registration message or, if that has not
// arrived yet, from the access token's claims), acts only on their own, and attaches only a picture they uploaded.
import {
  accountDeleted,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../../layers/common/errors';
import {
  PICTURE_CONTENT_TYPES,
  type PictureContentType,
  type PictureUploadResponse,
  type ProfileResponse,
  userClaims,
} from './schemas';

export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
export const UPLOAD_TTL_SECONDS = 10 * 60;
export const PICTURE_URL_TTL_SECONDS = 60 * 60;

export interface Profile {
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
  pictureKey: string | null;
}

export type NewProfile = Omit<Profile, 'pictureKey'>;

export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
  /** null removes the picture; undefined leaves it. */
  pictureKey?: string | null;
}

export interface ProfileStore {
  find(userId: string): Promise<Profile | undefined>;
  /**
   * Inserts the profile unless one exists for the user; answers the stored profile either way, or undefined when
   * the user deleted their account.
   */
  createIfAbsent(profile: NewProfile): Promise<Profile | undefined>;
  /**
   * The same insert, recorded as the processing of one message in the same transaction;
   * false when that message was processed before (nothing changes then).
   */
  createFromMessage(consumer: string, messageId: string, profile: NewProfile): Promise<boolean>;
  /** Applies the changes; answers the profile after them and the picture key it had before, or undefined. */
  update(
    userId: string,
    changes: ProfileChanges,
  ): Promise<{ profile: Profile; previousPictureKey: string | null } | undefined>;
}

export interface StoredPicture {
  contentType: string | undefined;
  sizeBytes: number | undefined;
}

export interface PictureStorage {
  presignUpload(request: {
    key: string;
    contentType: PictureContentType;
    maxBytes: number;
    expiresInSeconds: number;
  }): Promise<{ url: string; fields: Record<string, string> }>;
  /** What is stored under the key, or undefined when nothing is. */
  inspect(key: string): Promise<StoredPicture | undefined>;
  viewUrl(key: string, expiresInSeconds: number): Promise<string>;
  remove(key: string): Promise<void>;
}

export interface ProfilesDeps {
  store: ProfileStore;
  pictures: PictureStorage;
  newId: () => string;
  now: () => Date;
  warn: (message: string, attributes: Record<string, unknown>) => void;
}

/** Who the caller is, from the verified token; the profile fields are there when the auth service put them in. */
export interface Identity {
  userId: string;
  fromClaims?: NewProfile;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Reads the identity from the authorizer's claims. A token whose subject is not a user id acts for no user. */
export function identityFromClaims(claims: Record<string, unknown> | undefined): Identity {
  const parsed = userClaims.safeParse(claims ?? {});
  if (!parsed.success) throw new ForbiddenError('This token does not identify a user account.');
  const { sub, email, given_name: firstName, family_name: lastName } = parsed.data;
  const userId = sub.toLowerCase();
  if (!email || !firstName?.trim() || !lastName?.trim()) return { userId };
  return {
    userId,
    fromClaims: {
      userId,
      email: normalizeEmail(email),
      firstName: firstName.trim(),
      lastName: lastName.trim(),
    },
  };
}

/** The picture keys a user is given all start here; a key anywhere else was never theirs to attach. */
export const pictureKeyPrefix = (userId: string) => `users/${userId}/pictures/`;
const ISSUED_KEY =
  /^users\/([0-9a-f-]{36})\/pictures\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The caller's profile, made from the token's claims when the registration has not arrived yet. */
export async function ownProfile(deps: ProfilesDeps, identity: Identity): Promise<Profile> {
  const found = await deps.store.find(identity.userId);
  if (found) return found;
  // The registration message may still be on its way; the token carries what it would have said.
  if (identity.fromClaims) {
    // Nothing made from the claims either: the account was deleted (its tombstone refuses the profile), and its
    // access token, valid for minutes more, may change nothing.
    const made = await deps.store.createIfAbsent(identity.fromClaims);
    if (made) return made;
    throw accountDeleted();
  }
  throw new NotFoundError('This account has no profile yet. Sign in again in a moment.');
}

async function toView(deps: ProfilesDeps, profile: Profile): Promise<ProfileResponse> {
  return {
    id: profile.userId,
    email: profile.email,
    firstName: profile.firstName,
    lastName: profile.lastName,
    pictureUrl: profile.pictureKey
      ? await deps.pictures.viewUrl(profile.pictureKey, PICTURE_URL_TTL_SECONDS)
      : null,
  };
}

export async function viewOwnProfile(deps: ProfilesDeps, identity: Identity): Promise<ProfileResponse> {
  return toView(deps, await ownProfile(deps, identity));
}

export async function updateOwnProfile(
  deps: ProfilesDeps,
  identity: Identity,
  changes: ProfileChanges,
): Promise<ProfileResponse> {
  await ownProfile(deps, identity);
  if (changes.pictureKey) await checkUploadedPicture(deps, identity.userId, changes.pictureKey);
  const result = await deps.store.update(identity.userId, changes);
  if (!result) throw new NotFoundError('This account has no profile.');
  const previous = result.previousPictureKey;
  if (changes.pictureKey !== undefined && previous && previous !== result.profile.pictureKey) {
    // The profile no longer shows it; a failed clean-up leaves an unreferenced object, not a broken profile.
    await deps.pictures
      .remove(previous)
      .catch((error: unknown) =>
        deps.warn('replaced picture not removed', { key: previous, error: (error as Error).message }),
      );
  }
  return toView(deps, result.profile);
}

/** Only a key issued to this user, whose upload finished within the limits the upload form set, may be attached. */
export async function checkUploadedPicture(deps: ProfilesDeps, userId: string, key: string): Promise<void> {
  if (ISSUED_KEY.exec(key)?.[1] !== userId) {
    throw new ValidationError([
      {
        in: 'body',
        field: 'pictureKey',
        message: 'This is not a picture key issued to you; get one from POST /v1/users/me/picture.',
      },
    ]);
  }
  const stored = await deps.pictures.inspect(key);
  if (!stored) {
    throw new UnprocessableError(
      'Nothing has been uploaded under this pictureKey. Upload the file to the uploadUrl first.',
      'picture-not-uploaded',
    );
  }
  const contentType = stored.contentType?.split(';')[0]?.trim().toLowerCase();
  if (!PICTURE_CONTENT_TYPES.includes(contentType as PictureContentType)) {
    throw new UnprocessableError(
      `The uploaded picture must be one of ${PICTURE_CONTENT_TYPES.join(', ')}; it is ${contentType ?? 'untyped'}.`,
      'picture-type-not-allowed',
    );
  }
  const size = stored.sizeBytes ?? 0;
  if (size < 1 || size > MAX_PICTURE_BYTES) {
    throw new UnprocessableError(
      `The uploaded picture must be between 1 byte and ${MAX_PICTURE_BYTES} bytes; it is ${size} bytes.`,
      'picture-size-not-allowed',
    );
  }
}

/** A one-time upload form for a new picture under a fresh key of the caller's own. */
export async function startPictureUpload(
  deps: ProfilesDeps,
  identity: Identity,
  contentType: PictureContentType,
): Promise<PictureUploadResponse> {
  // Only a live profile's owner gets an upload form: a deleted account's token uploads nothing.
  await ownProfile(deps, identity);
  const key = `${pictureKeyPrefix(identity.userId)}${deps.newId()}`;
  const expiresAt = new Date(deps.now().getTime() + UPLOAD_TTL_SECONDS * 1000);
  const { url, fields } = await deps.pictures.presignUpload({
    key,
    contentType,
    maxBytes: MAX_PICTURE_BYTES,
    expiresInSeconds: UPLOAD_TTL_SECONDS,
  });
  return { uploadUrl: url, fields, key, expiresAt: expiresAt.toISOString(), maxBytes: MAX_PICTURE_BYTES };
}

export interface Registration {
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
}

/** Creates the profile a registration announces, once per message; a profile that exists already is kept. */
export async function profileFromRegistration(
  store: ProfileStore,
  consumer: string,
  messageId: string,
  registration: Registration,
): Promise<boolean> {
  return store.createFromMessage(consumer, messageId, {
    userId: registration.userId.toLowerCase(),
    email: normalizeEmail(registration.email),
    // The contract bounds the names; trimming must not empty one that is only spaces.
    firstName: registration.firstName.trim() || registration.firstName,
    lastName: registration.lastName.trim() || registration.lastName,
  });
}
