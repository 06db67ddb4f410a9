// Daily (EventBridge): queues yesterday's sales summary for every organizer who asked for it, yesterday being the day
// before today in the organizer's time zone. Safe to repeat and to overlap: each (organizer, day) is queued once.
import type { ScheduledEvent } from 'aws-lambda';
import { getLogger } from '../../layers/common/logger';
import { withMetrics } from '../../layers/common/metrics';
import { type SummaryScanDeps, scanSalesSummaries } from './sales-summaries';
import { summaryScanDeps } from './sales-summaries.deps';

export function makeHandler(deps: () => SummaryScanDeps) {
  return withMetrics(async (event?: Partial<ScheduledEvent>) => {
    const correlationId = `sales-summary-scan-${event?.id ?? Date.now()}`;
    const result = await scanSalesSummaries(deps(), correlationId);
    const line = { ...result, correlation_id: correlationId };
    const log = getLogger('notifications');
    if (result.failed > 0) log.warn('some summaries could not be published; the next run retries', line);
    else log.info('sales summary scan done', line);
    return result;
  });
}

export const handler = makeHandler(summaryScanDeps);
