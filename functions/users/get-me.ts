// GET /v1/users/me: the caller's own profile, made from the token's claims if the registration has not arrived yet.
import { httpHandler, ok } from '../../layers/common/http';
import { realDeps } from './deps';
import { users } from './manifest';
import { identityFromClaims, type ProfilesDeps, viewOwnProfile } from './profiles';

export function makeHandler(deps: ProfilesDeps) {
  return httpHandler('users', users.routes.getMe, async ({ caller }) => {
    const identity = identityFromClaims(caller.claims);
    // The body carries a signed picture link: no shared cache may keep it.
    return ok(await viewOwnProfile(deps, identity), { 'cache-control': 'private, no-store' });
  });
}

export const handler = makeHandler(realDeps());
