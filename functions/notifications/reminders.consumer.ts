// Consumes the reminders queue the scan fills: one email per ReminderDue, sent once per holder and event however
// often the message is delivered.
import { PoisonMessageError, sqsConsumer } from '../../layers/common/consumer';
import { countMetric } from '../../layers/common/metrics';
import { failedBeforeSending, onReminderDue, type SendDeps } from './notifications';
import { ReminderMessageTypes } from './schemas';
import { sendDeps } from './send.deps';

export function makeHandler(deps: () => SendDeps) {
  return sqsConsumer(
    'notifications',
    async ({ envelope, log, signal }) => {
      const contract = ReminderMessageTypes.ReminderDue;
      if (envelope.type !== contract.type) {
        log.info('message ignored: not a type this consumer handles');
        return;
      }
      if (envelope.version !== contract.version)
        throw new PoisonMessageError(`ReminderDue version ${envelope.version} is not supported`);
      const due = contract.schema.safeParse(envelope.data);
      if (!due.success) throw new PoisonMessageError('ReminderDue data breaks the contract');
      const outcome = await onReminderDue({ ...deps(), signal }, due.data, log);
      if (outcome === 'sent') countMetric('notifications', 'EmailsSent');
      log.info('reminder handled', { event_id: due.data.eventId, user_id: due.data.userId, outcome });
    },
    { retrySoon: failedBeforeSending },
  );
}

export const handler = makeHandler(sendDeps);
