// GET /v1/me/export/{id}: the caller's own export, with a short-lived download link once it is ready.
import { httpHandler, ok } from '../../layers/common/http';
import { viewExport } from './data-exports';
import { users } from './manifest';
import { exportDeps } from './privacy.deps';
import { identityFromClaims } from './profiles';

export const handler = httpHandler('users', users.routes.getExport, async ({ caller, params }) => {
  const { userId } = identityFromClaims(caller.claims);
  // The body carries a signed link: no shared cache may keep it.
  return ok(await viewExport(exportDeps(), userId, params.id), { 'cache-control': 'private, no-store' });
});
