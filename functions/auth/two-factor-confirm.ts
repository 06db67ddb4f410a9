// POST /v1/auth/two-factor/confirm: the first code of the app turns two-step sign-in on; answers ten recovery codes,
// shown this once. Guesses are throttled like sign-in guesses. The caller's other sign-ins end.
import { httpHandler } from '../../layers/common/http';
import { twoFactorService } from './deps';
import { auth } from './manifest';
import { guard } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.twoFactorConfirm,
  async ({ body, caller, sourceIp }) => ({
    statusCode: 200,
    body: await (await twoFactorService()()).confirm(caller, body.code, { guard: guard(), ip: sourceIp }),
    headers: { 'cache-control': 'no-store' },
  }),
);
