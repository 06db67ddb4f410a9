// Consumes auth-events: sends each AccountEmailRequested as it is (no history row: its link is a secret). Delivery is
// at least once, so a redelivered message may send the email twice, which is harmless here.
import { AuthMessageTypes } from '../../events/contracts/auth';
import { once } from '../../layers/common/config';
import { PoisonMessageError, sqsConsumer } from '../../layers/common/consumer';
import { countMetric } from '../../layers/common/metrics';
import { accountEmail } from './account-emails';
import { mailerFromEnv, mailRetryPolicy, type Sender, sender } from './mailer';

export function makeHandler(deps: () => { sender: Sender }) {
  return sqsConsumer('notifications', async ({ envelope, log, signal }) => {
    const contract = AuthMessageTypes.AccountEmailRequested;
    if (envelope.type !== contract.type) {
      log.info('message ignored: not a type this consumer handles');
      return;
    }
    if (envelope.version !== contract.version)
      throw new PoisonMessageError(`${contract.type} version ${envelope.version} is not supported`);
    const parsed = contract.schema.safeParse(envelope.data);
    if (!parsed.success) throw new PoisonMessageError(`${contract.type} data breaks the contract`);
    const message = parsed.data;
    const email = accountEmail(message);
    // Past the invocation's deadline this sends nothing and fails the record, which comes back.
    await deps().sender.send({ to: message.email, ...email, key: `account:${envelope.id}` }, signal);
    countMetric('notifications', 'EmailsSent');
    log.info('account email sent', { kind: message.kind, user_id: message.userId });
  });
}

export const handler = makeHandler(once(() => ({ sender: sender(mailerFromEnv(), mailRetryPolicy()) })));
