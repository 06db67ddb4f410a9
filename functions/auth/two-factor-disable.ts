// POST /v1/auth/two-factor/disable: turns two-step sign-in off, proven by the password or a code (or recovery code);
// guesses are throttled like sign-in guesses.
import { httpHandler, noContent } from '../../layers/common/http';
import { twoFactorService } from './deps';
import { auth } from './manifest';
import { guard } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.twoFactorDisable,
  async ({ body, caller, sourceIp }) => {
    await (await twoFactorService()()).disable(caller.userId, body, { guard: guard(), ip: sourceIp });
    return noContent();
  },
);
