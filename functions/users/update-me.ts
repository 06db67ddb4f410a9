// PATCH /v1/users/me: changes the caller's names and attaches (or removes) a picture they uploaded.
import { httpHandler, ok } from '../../layers/common/http';
import { realDeps } from './deps';
import { users } from './manifest';
import { identityFromClaims, type ProfilesDeps, updateOwnProfile } from './profiles';

export function makeHandler(deps: ProfilesDeps) {
  return httpHandler('users', users.routes.updateMe, async ({ caller, body }) => {
    const identity = identityFromClaims(caller.claims);
    return ok(await updateOwnProfile(deps, identity, body), { 'cache-control': 'private, no-store' });
  });
}

export const handler = makeHandler(realDeps());
