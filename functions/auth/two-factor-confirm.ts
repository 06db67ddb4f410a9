// POST /v1/auth/two-factor/confirm: the password and the first code of the app turn two-step sign-in on; answers ten
// recovery codes, shown this once. Guesses are throttled like sign-in guesses. The caller's other sign-ins end, and
// the owner is emailed a notice.
import { httpHandler } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { twoFactorService } from './deps';
import { auth } from './manifest';
import { guard } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.twoFactorConfirm,
  async ({ body, caller, sourceIp, correlationId }) => {
    const service = await twoFactorService()();
    const answer = await service.confirm(caller, body, { guard: guard(), ip: sourceIp }, correlationId);
    await relayNow('auth');
    return { statusCode: 200, body: answer, headers: { 'cache-control': 'no-store' } };
  },
);
