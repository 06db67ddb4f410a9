// CloudWatch Logs subscription -> OpenSearch: decodes the batch, indexes it into the daily indices (retrying failed
// items), and sends what it cannot deliver to its dead-letter queue. It throws only when that queue refuses too, so
// Lambda's retries (document ids are the CloudWatch event ids: no duplicates) and on-failure destination take over.
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { requireEnv } from '../../layers/common/config';
import { ENV, queueUrlEnv } from '../../layers/common/env-names';
import { getLogger, type Logger } from '../../layers/common/logger';
import { countMetric, flushMetrics } from '../../layers/common/metrics';
import { sqsDeadLetter } from './dead-letter.sqs';
import {
  DEFAULT_SHIP_POLICY,
  decodeSubscriptionEvent,
  documentsOf,
  type LogStore,
  type ShipPolicy,
  shipLogs,
  type Undelivered,
} from './log-shipper';
import { openSearchClient, openSearchLogStore } from './log-store.opensearch';
import { LOG_SHIPPER_DLQ } from './manifest';

export interface ShipperDeps {
  store: () => Promise<LogStore>;
  deadLetter: (undelivered: readonly Undelivered[]) => Promise<void>;
  log: Logger;
  policy?: ShipPolicy;
}

/** Time kept back from the Lambda deadline for the dead-letter sends. */
const DEADLINE_MARGIN_MS = 10_000;

export function makeHandler(deps: ShipperDeps) {
  return async (event: CloudWatchLogsEvent, context: Context) => {
    const { log } = deps;
    log.addContext(context);
    try {
      const data = decodeSubscriptionEvent(event);
      const documents = documentsOf(data);
      if (documents.length === 0) return { indexed: 0, deadLettered: 0 };
      const report = await shipLogs(await deps.store(), documents, {
        ...(deps.policy ?? DEFAULT_SHIP_POLICY),
        timeLeftMs: () => context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS,
      });
      countMetric('ops', 'LogLinesShipped', report.indexed);
      if (report.undelivered.length > 0) {
        await deps.deadLetter(report.undelivered);
        countMetric('ops', 'LogLinesDeadLettered', report.undelivered.length);
        log.error('log lines not delivered to OpenSearch; sent to the dead-letter queue', {
          log_group: data.logGroup,
          lines: documents.length,
          indexed: report.indexed,
          dead_lettered: report.undelivered.length,
          retryable: report.undelivered.filter((item) => item.retryable).length,
          rounds: report.rounds,
          reasons: [...new Set(report.undelivered.map((item) => item.reason))].slice(0, 5),
        });
      } else if (report.rounds > 1) {
        log.warn('log lines delivered after retries', {
          log_group: data.logGroup,
          lines: documents.length,
          rounds: report.rounds,
        });
      }
      return { indexed: report.indexed, deadLettered: report.undelivered.length };
    } finally {
      flushMetrics();
    }
  };
}

let store: Promise<LogStore> | undefined;
/** One client per container; a failed creation (say, no credentials yet) is tried again by the next invocation. */
function containerStore(): Promise<LogStore> {
  if (!store) {
    store = openSearchClient({ url: requireEnv(ENV.openSearchUrl) }).then(openSearchLogStore);
    store.catch(() => {
      store = undefined;
    });
  }
  return store;
}

export const handler = makeHandler({
  store: containerStore,
  deadLetter: (undelivered) => sqsDeadLetter(requireEnv(queueUrlEnv(LOG_SHIPPER_DLQ)))(undelivered),
  log: getLogger('ops'),
});
