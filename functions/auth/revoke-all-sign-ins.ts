// DELETE /v1/auth/sessions: ends every sign-in of the caller, this one too.
import { getPool } from '../../layers/common/db';
import { httpHandler, noContent } from '../../layers/common/http';
import { auth } from './manifest';
import { pgSessionStore } from './sessions.store';

export const handler = httpHandler('auth', auth.routes.revokeAllSignIns, async ({ caller }) => {
  await pgSessionStore(await getPool('auth')).revoke(caller.userId);
  return noContent();
});
