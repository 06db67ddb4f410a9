// POST /v1/me/export: starts a copy of the caller's data (profile, orders, tickets, notifications); 202 with the
// export to poll. While one is in progress, that one is the answer.
import { httpHandler } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { requestExport } from './data-exports';
import { users } from './manifest';
import { exportDeps } from './privacy.deps';
import { identityFromClaims } from './profiles';

export const handler = httpHandler('users', users.routes.requestExport, async ({ caller, correlationId }) => {
  const { userId } = identityFromClaims(caller.claims);
  const view = await requestExport(exportDeps(), userId, correlationId);
  await relayNow('users');
  return {
    statusCode: 202,
    body: view,
    headers: { location: `/v1/me/export/${view.id}`, 'cache-control': 'private, no-store' },
  };
});
