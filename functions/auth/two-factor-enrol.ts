// POST /v1/auth/two-factor: starts enrolment: a new TOTP secret and its otpauth:// URI (the web app shows it as a QR
// code). Nothing changes at sign-in until a first code confirms it.
import { httpHandler } from '../../layers/common/http';
import { twoFactorService } from './deps';
import { auth } from './manifest';

export const handler = httpHandler('auth', auth.routes.twoFactorEnrol, async ({ caller }) => ({
  statusCode: 201,
  body: await (await twoFactorService()()).enrol(caller.userId),
  headers: { 'cache-control': 'no-store' },
}));
