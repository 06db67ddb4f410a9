// Consumes the sales summaries queue the daily schedule fills: one email per SalesSummaryDue, sent once per organizer
// and day however often the message is delivered.
import { sqsConsumer } from '../../layers/common/consumer';
import { countMetric } from '../../layers/common/metrics';
import { failedBeforeSending } from './notifications';
import { onSalesSummaryDue, type SummarySendDeps } from './sales-summaries';
import { summarySendDeps } from './sales-summaries.deps';
import { SalesSummaryMessageTypes } from './sales-summaries.schemas';
import { dataOf } from './ticket-events.consumer';

export function makeHandler(deps: () => SummarySendDeps) {
  return sqsConsumer(
    'notifications',
    async ({ envelope, log, signal }) => {
      const { SalesSummaryDue } = SalesSummaryMessageTypes;
      if (envelope.type !== SalesSummaryDue.type) {
        log.info('message ignored: not a type this consumer handles');
        return;
      }
      const due = dataOf(envelope, SalesSummaryDue);
      const outcome = await onSalesSummaryDue({ ...deps(), signal }, due, envelope.correlationId, log);
      if (outcome === 'sent') countMetric('notifications', 'EmailsSent');
      log.info('sales summary handled', { organizer_id: due.organizerId, day: due.day, outcome });
    },
    { retrySoon: failedBeforeSending },
  );
}

export const handler = makeHandler(summarySendDeps);
