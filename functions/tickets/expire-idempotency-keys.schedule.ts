// Hourly: forgets purchase idempotency keys after 48 hours (the promise to clients is at least 24).
import { getLogger } from '../../layers/common/logger';
import { realDeps } from './deps';
import type { TicketsDeps } from './model';
import { IDEMPOTENCY_KEY_RETENTION_HOURS } from './purchasing';

export function makeHandler(deps: TicketsDeps) {
  return async () => {
    const deleted = await deps.purchases.expireKeys(IDEMPOTENCY_KEY_RETENTION_HOURS);
    getLogger('tickets').info('idempotency keys expired', { deleted });
    return { deleted };
  };
}

export const handler = makeHandler(realDeps());
