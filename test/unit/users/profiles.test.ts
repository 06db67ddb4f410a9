// The profile rules on their own: who the caller is, the profile that is always there for a registered user,
// and which pictures may be attached.
import { describe, expect, it } from 'vitest';
import {
  identityFromClaims,
  MAX_PICTURE_BYTES,
  profileFromRegistration,
  startPictureUpload,
  updateOwnProfile,
  viewOwnProfile,
} from '../../../functions/users/profiles';
import { AppError } from '../../../layers/common/errors';
import { fakeDeps } from './fakes';

const ADA = '6f1d3c2a-8b4e-4f5a-9c7d-1e2f3a4b5c6d';
const GRACE = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
const claims = { sub: ADA, email: 'Ada@Example.COM', given_name: 'Ada', family_name: 'Lovelace' };

async function failure(work: Promise<unknown>) {
  const error = await work.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError & { errors?: { field: string; message: string }[] };
}

describe('identityFromClaims', () => {
  it('takes the profile details from the claims, with the email lower-cased', () => {
    expect(identityFromClaims(claims)).toEqual({
      userId: ADA,
      fromClaims: { userId: ADA, email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' },
    });
  });

  it('knows the user but not their details when the token carries only a subject', () => {
    expect(identityFromClaims({ sub: ADA })).toEqual({ userId: ADA });
    expect(identityFromClaims({ sub: ADA, email: 'not an email', given_name: 'Ada' })).toEqual({
      userId: ADA,
    });
  });

  it('refuses a token whose subject is not a user id', async () => {
    const error = await failure(Promise.resolve().then(() => identityFromClaims({ sub: 'service-client' })));
    expect(error.status).toBe(403);
  });
});

describe('a registered user always has a profile', () => {
  it('creates the profile from the token when the registration has not arrived yet', async () => {
    const { deps, store } = fakeDeps();
    const profile = await viewOwnProfile(deps, identityFromClaims(claims));
    expect(profile).toEqual({
      id: ADA,
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      pictureUrl: null,
    });
    expect(store.profiles.has(ADA)).toBe(true);
  });

  it('keeps the stored profile over what the token says', async () => {
    const { deps } = fakeDeps();
    await viewOwnProfile(deps, identityFromClaims(claims));
    await updateOwnProfile(deps, identityFromClaims(claims), { firstName: 'Augusta' });
    expect((await viewOwnProfile(deps, identityFromClaims(claims))).firstName).toBe('Augusta');
  });

  it('answers 404 when there is neither a profile nor details in the token', async () => {
    const { deps } = fakeDeps();
    expect((await failure(viewOwnProfile(deps, { userId: ADA }))).status).toBe(404);
    expect((await failure(updateOwnProfile(deps, { userId: ADA }, { firstName: 'Ada' }))).status).toBe(404);
  });

  it('records a registration once, and never overwrites a profile that exists', async () => {
    const { deps, store } = fakeDeps();
    const registration = { userId: ADA, email: 'ADA@example.com', firstName: ' Ada ', lastName: 'Lovelace' };
    expect(await profileFromRegistration(store, 'c', 'm1', registration)).toBe(true);
    expect(await profileFromRegistration(store, 'c', 'm1', registration)).toBe(false);
    await updateOwnProfile(deps, { userId: ADA }, { lastName: 'King' });
    await profileFromRegistration(store, 'c', 'm2', registration);
    expect(await viewOwnProfile(deps, { userId: ADA })).toMatchObject({
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'King',
    });
  });
});

describe('pictures', () => {
  it('hands out an upload form for a fresh key under the caller’s own prefix, valid for ten minutes', async () => {
    const { deps } = fakeDeps();
    const upload = await startPictureUpload(deps, identityFromClaims(claims), 'image/png');
    expect(upload.key).toMatch(new RegExp(`^users/${ADA}/pictures/[0-9a-f-]{36}$`));
    expect(upload.expiresAt).toBe('2030-01-01T12:10:00.000Z');
    expect(upload.maxBytes).toBe(5 * 1024 * 1024);
    expect(upload.fields).toMatchObject({ key: upload.key, 'Content-Type': 'image/png' });
  });

  it('attaches an uploaded picture and shows it through a signed link', async () => {
    const { deps, pictures } = fakeDeps();
    const { key } = await startPictureUpload(deps, identityFromClaims(claims), 'image/webp');
    pictures.objects.set(key, { contentType: 'image/webp', sizeBytes: 1234 });
    const profile = await updateOwnProfile(deps, identityFromClaims(claims), { pictureKey: key });
    expect(profile.pictureUrl).toBe(`https://bucket.example/${key}?signed`);
  });

  it('refuses a key issued to someone else, or made up', async () => {
    const { deps, pictures } = fakeDeps();
    const { key } = await startPictureUpload(
      deps,
      identityFromClaims({ ...claims, sub: GRACE }),
      'image/png',
    );
    pictures.objects.set(key, { contentType: 'image/png', sizeBytes: 10 });
    for (const pictureKey of [
      key,
      `users/${ADA}/pictures/../../${GRACE}/pictures/x`,
      `users/${ADA}/avatar.png`,
    ]) {
      const error = await failure(updateOwnProfile(deps, identityFromClaims(claims), { pictureKey }));
      expect(error.status).toBe(400);
      expect(error.errors?.[0]?.field).toBe('pictureKey');
    }
  });

  it('refuses a picture that was never uploaded, or is not an allowed type or size', async () => {
    const { deps, pictures } = fakeDeps();
    const attach = async (stored: { contentType?: string; sizeBytes?: number } | undefined) => {
      const { key } = await startPictureUpload(deps, identityFromClaims(claims), 'image/png');
      if (stored) pictures.objects.set(key, { contentType: stored.contentType, sizeBytes: stored.sizeBytes });
      return failure(updateOwnProfile(deps, identityFromClaims(claims), { pictureKey: key }));
    };
    expect((await attach(undefined)).slug).toBe('picture-not-uploaded');
    expect((await attach({ contentType: 'text/html', sizeBytes: 10 })).slug).toBe('picture-type-not-allowed');
    expect((await attach({ contentType: 'image/png', sizeBytes: MAX_PICTURE_BYTES + 1 })).slug).toBe(
      'picture-size-not-allowed',
    );
    expect((await attach({ contentType: 'image/png', sizeBytes: 0 })).status).toBe(422);
  });

  it('removes the picture it replaces, and survives a failed removal', async () => {
    const { deps, pictures, warnings } = fakeDeps();
    const identity = identityFromClaims(claims);
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { key } = await startPictureUpload(deps, identity, 'image/jpeg');
      pictures.objects.set(key, { contentType: 'image/jpeg', sizeBytes: 100 });
      keys.push(key);
    }
    await updateOwnProfile(deps, identity, { pictureKey: keys[0] });
    await updateOwnProfile(deps, identity, { pictureKey: keys[1] });
    expect(pictures.removed).toEqual([keys[0]]);

    pictures.failRemoval = true;
    const profile = await updateOwnProfile(deps, identity, { pictureKey: keys[2] });
    expect(profile.pictureUrl).toContain(keys[2]);
    expect(warnings).toEqual(['replaced picture not removed']);
  });

  it('removes the picture when asked to with null, and keeps it on a names-only change', async () => {
    const { deps, pictures } = fakeDeps();
    const identity = identityFromClaims(claims);
    const { key } = await startPictureUpload(deps, identity, 'image/png');
    pictures.objects.set(key, { contentType: 'image/png', sizeBytes: 100 });
    await updateOwnProfile(deps, identity, { pictureKey: key });
    expect((await updateOwnProfile(deps, identity, { firstName: 'Ada' })).pictureUrl).not.toBeNull();
    expect((await updateOwnProfile(deps, identity, { pictureKey: null })).pictureUrl).toBeNull();
    expect(pictures.removed).toEqual([key]);
  });
});
