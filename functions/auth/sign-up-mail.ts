// The email a sign-up sends, whether the address was new or taken: the new account's verification link, or a notice
// to the owner of the taken address (at most a few an hour per address, so nobody can fill an inbox through it). The
// caller answers both alike, so sign-up never tells which addresses have accounts.
import { relayNow } from '../../layers/common/outbox-relay';
import { recoveryService } from './deps';
import type { Account } from './oauth';
import { rateLimiter, rateLimits } from './rate-limits';

export async function sendSignUpEmail(
  outcome: { status: 'created'; account: Account } | { status: 'taken' },
  email: string,
  correlationId: string,
) {
  const recovery = await recoveryService()();
  if (outcome.status === 'created') {
    await recovery.sendVerification(outcome.account, correlationId);
  } else {
    const address = email.toLowerCase();
    const { allowed } = await rateLimiter().check(rateLimits().accountEmailPerAddress, `taken:${address}`);
    if (allowed) await recovery.notifyAlreadyRegistered(address, correlationId);
  }
  await relayNow('auth');
}
