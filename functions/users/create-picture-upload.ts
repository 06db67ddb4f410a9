// POST /v1/users/me/picture: a presigned form the client uploads a new picture to, straight to the bucket.
import { created, httpHandler } from '../../layers/common/http';
import { realDeps } from './deps';
import { users } from './manifest';
import { identityFromClaims, type ProfilesDeps, startPictureUpload } from './profiles';

export function makeHandler(deps: ProfilesDeps) {
  return httpHandler('users', users.routes.createPictureUpload, async ({ caller, body }) => {
    const identity = identityFromClaims(caller.claims);
    const upload = await startPictureUpload(deps, identity, body.contentType);
    return { ...created(upload), headers: { 'cache-control': 'no-store' } };
  });
}

export const handler = makeHandler(realDeps());
