// Every 15 minutes (EventBridge): queues one reminder per holder of each event starting within the reminder window
// (REMINDER_WINDOW_HOURS, default 24). Safe to overlap and to repeat: each (event, holder) is queued once.
import type { ScheduledEvent } from 'aws-lambda';
import { getLogger } from '../../layers/common/logger';
import { countMetric, withMetrics } from '../../layers/common/metrics';
import { scanDeps } from './deps';
import { type ScanDeps, scanReminders } from './notifications';

export function makeHandler(deps: () => ScanDeps) {
  return withMetrics(async (event?: Partial<ScheduledEvent>) => {
    const correlationId = `reminder-scan-${event?.id ?? Date.now()}`;
    const log = getLogger('notifications');
    const result = await scanReminders(deps(), correlationId);
    countMetric('notifications', 'RemindersQueued', result.queued);
    const line = { ...result, correlation_id: correlationId };
    if (result.failed > 0) log.warn('some reminders could not be published; the next scan retries', line);
    else log.info('reminder scan done', line);
    return result;
  });
}

export const handler = makeHandler(scanDeps);
