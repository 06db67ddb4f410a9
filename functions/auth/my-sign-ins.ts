// GET /v1/auth/sessions: the caller's sign-ins (client, created, last used), the one making the call marked current.
import { getPool } from '../../layers/common/db';
import { httpHandler } from '../../layers/common/http';
import { auth } from './manifest';
import { pgSessionStore } from './sessions.store';

export const handler = httpHandler('auth', auth.routes.mySignIns, async ({ caller }) => {
  const signIns = await pgSessionStore(await getPool('auth')).list(caller.userId);
  const items = signIns.map((signIn) => ({ ...signIn, current: signIn.id === caller.sessionId }));
  return {
    statusCode: 200,
    body: { items, nextCursor: null },
    headers: { 'cache-control': 'private, no-store' },
  };
});
