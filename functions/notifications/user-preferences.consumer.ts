// Consumes users-events: NotificationPreferencesChanged keeps the copy that decides who gets the daily sales summary
// (newest wins, so a late older message changes nothing). Throwing fails the record for redelivery.
import { UsersMessageTypes } from '../../events/contracts/users';
import { sqsConsumer } from '../../layers/common/consumer';
import type { SubscriptionStore } from './sales-summaries';
import { summaryDeps } from './sales-summaries.deps';
import { dataOf } from './ticket-events.consumer';

export function makeHandler(deps: () => { subscriptions: SubscriptionStore }) {
  return sqsConsumer('notifications', async ({ envelope, log }) => {
    const { NotificationPreferencesChanged } = UsersMessageTypes;
    if (envelope.type !== NotificationPreferencesChanged.type) {
      log.info('message ignored: not a type this consumer handles');
      return;
    }
    const preferences = dataOf(envelope, NotificationPreferencesChanged);
    const applied = await deps().subscriptions.apply(preferences);
    log.info('notification preferences handled', { user_id: preferences.userId, applied });
  });
}

export const handler = makeHandler(summaryDeps);
