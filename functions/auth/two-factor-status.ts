// GET /v1/auth/two-factor: whether two-step sign-in is on for the caller, and how many recovery codes are left.
import { httpHandler } from '../../layers/common/http';
import { twoFactorService } from './deps';
import { auth } from './manifest';

export const handler = httpHandler('auth', auth.routes.twoFactorStatus, async ({ caller }) => ({
  statusCode: 200,
  body: await (await twoFactorService()()).status(caller.userId),
  headers: { 'cache-control': 'private, no-store' },
}));
