// Retention: deletes the daily log indices older than LOG_RETENTION_DAYS (default 30). A plain scheduled job rather
// than an ISM policy, so it behaves the same on every OpenSearch (the test distribution has no ISM plugin).
import { intEnv, optionalEnv } from '../../layers/common/config';
import { ENV } from '../../layers/common/env-names';
import { getLogger, type Logger } from '../../layers/common/logger';
import { DEFAULT_LOG_RETENTION_DAYS, expiredLogIndices } from './log-shipper';
import { type LogIndexAdmin, openSearchClient, openSearchLogStore } from './log-store.opensearch';

export interface RetentionDeps {
  /** Undefined when no OpenSearch is configured (local runs without OPENSEARCH_URL). */
  admin: () => Promise<LogIndexAdmin | undefined>;
  retentionDays: () => number;
  now: () => Date;
  log: Logger;
}

export function makeHandler(deps: RetentionDeps) {
  return async () => {
    const admin = await deps.admin();
    if (!admin) return { deleted: [] as string[] };
    const retentionDays = deps.retentionDays();
    const deleted = expiredLogIndices(await admin.listLogIndices(), deps.now(), retentionDays);
    await admin.deleteIndices(deleted);
    if (deleted.length > 0)
      deps.log.info('expired log indices deleted', { deleted, retention_days: retentionDays });
    return { deleted };
  };
}

export const handler = makeHandler({
  admin: async () => {
    const url = optionalEnv(ENV.openSearchUrl);
    return url ? openSearchLogStore(await openSearchClient({ url })) : undefined;
  },
  retentionDays: () => intEnv(ENV.logRetentionDays, DEFAULT_LOG_RETENTION_DAYS),
  now: () => new Date(),
  log: getLogger('ops'),
});
