// POST /v1/auth/two-factor/disable: turns two-step sign-in off, proven by the password and a current code (or a
// recovery code); guesses are throttled like sign-in guesses. The owner is emailed a notice.
import { httpHandler, noContent } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { twoFactorService } from './deps';
import { auth } from './manifest';
import { guard } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.twoFactorDisable,
  async ({ body, caller, sourceIp, correlationId }) => {
    const service = await twoFactorService()();
    await service.disable(caller.userId, body, { guard: guard(), ip: sourceIp }, correlationId);
    await relayNow('auth');
    return noContent();
  },
);
