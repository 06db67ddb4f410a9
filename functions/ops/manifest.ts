// Ops service: ships every function's log lines into OpenSearch (daily indices from one template) and expires old
// indices. It has no routes and no database; its shipper's own log group is the one that is not shipped.
import { defineService } from '../../layers/common/manifest';

/** The shipper's dead-letter queue: log lines OpenSearch would not take after the retries. */
export const LOG_SHIPPER_DLQ = 'log-shipper-dlq';

export const ops = defineService({
  service: 'ops',
  description: 'Log shipping to OpenSearch and log retention.',
  database: false,
  routes: {},
  schedules: {
    expireLogIndices: {
      name: 'ops-expire-log-indices',
      handler: 'expire-log-indices.schedule.ts',
      summary: 'Deletes the daily log indices older than LOG_RETENTION_DAYS (30 by default)',
      expression: 'cron(15 0 * * ? *)',
      localEverySeconds: 3600,
      binds: { logSearch: 'manage' },
      timeoutSeconds: 60,
    },
  },
  logShipper: {
    handler: 'ship-logs.ts',
    summary:
      'Bulk-indexes the log lines of every other function into OpenSearch, retrying partial failures; the rest go to its DLQ',
    deadLetterQueue: LOG_SHIPPER_DLQ,
    binds: { logSearch: true },
    timeoutSeconds: 120,
    memoryMb: 512,
  },
});
