// DELETE /v1/auth/sessions/{id}: ends one of the caller's sign-ins (its refresh tokens stop working at once; access
// tokens already issued run out within 15 minutes). Another account's sign-in is left alone, answered the same.
import { getPool } from '../../layers/common/db';
import { httpHandler, noContent } from '../../layers/common/http';
import { auth } from './manifest';
import { pgSessionStore } from './sessions.store';

export const handler = httpHandler('auth', auth.routes.revokeSignIn, async ({ caller, params }) => {
  await pgSessionStore(await getPool('auth')).revoke(caller.userId, params.id);
  return noContent();
});
