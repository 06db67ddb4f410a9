// The real dependencies of the daily sales summary: the subscriptions store, the relay, and the tickets service's
// figures (an internal call; its failure fails the message, which is redelivered).
import type { SalesSummaryResponse } from '../../events/contracts/sales-summary';
import { once } from '../../layers/common/config';
import { getPool } from '../../layers/common/db';
import { invokeInternal } from '../../layers/common/internal';
import { relayAll } from './deps';
import type { SummaryScanDeps, SummarySendDeps } from './sales-summaries';
import { pgSubscriptionStore } from './sales-summaries.store';
import { sendDeps } from './send.deps';

const subscriptions = once(() => pgSubscriptionStore(() => getPool('notifications')));

export const summaryDeps = once(() => ({ subscriptions: subscriptions() }));

export const summaryScanDeps = once(
  (): SummaryScanDeps => ({ subscriptions: subscriptions(), now: () => new Date(), relay: relayAll }),
);

export const summarySendDeps = once(
  (): SummarySendDeps => ({
    ...sendDeps(),
    subscriptions: subscriptions(),
    salesOf: (request, correlationId) =>
      invokeInternal<SalesSummaryResponse>('tickets.salesSummary', request, correlationId),
  }),
);
