// POST /v1/auth/two-factor/recovery-codes: ten new recovery codes in place of the old ones, proven by the password
// and a current code; shown this once. The owner is emailed a notice.
import { httpHandler } from '../../layers/common/http';
import { relayNow } from '../../layers/common/outbox-relay';
import { twoFactorService } from './deps';
import { auth } from './manifest';
import { guard } from './rate-limits';

export const handler = httpHandler(
  'auth',
  auth.routes.twoFactorRecoveryCodes,
  async ({ body, caller, sourceIp, correlationId }) => {
    const service = await twoFactorService()();
    const from = { guard: guard(), ip: sourceIp };
    const answer = await service.regenerateRecoveryCodes(caller.userId, body, from, correlationId);
    await relayNow('auth');
    return { statusCode: 200, body: answer, headers: { 'cache-control': 'no-store' } };
  },
);
