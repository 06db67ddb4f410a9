// Every minute: releases the holds of orders whose payment did not come in time (their seats go back on sale; reads
// of availability already counted them free) and asks the provider again for refunds it has not confirmed.
import { getLogger } from '../../layers/common/logger';
import { withMetrics } from '../../layers/common/metrics';
import { realDeps } from './deps';
import type { TicketsDeps } from './model';
import { refundKey } from './payments';
import { settleRefund } from './refunds';

/** Batches per run: a run never outlasts its minute, and the next one picks up the rest. */
const MAX_BATCHES = 20;

export function makeHandler(deps: TicketsDeps) {
  return withMetrics(async () => {
    let released = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      const count = await deps.payments.store.releaseExpiredHolds();
      released += count;
      if (count === 0) break;
    }
    let refunds = 0;
    for (const refund of await deps.payments.store.pendingRefunds()) {
      if (await settleRefund(deps, { ...refund, key: refundKey(refund.orderId) })) refunds += 1;
    }
    getLogger('tickets').info('holds swept', { released, refunds });
    return { released, refunds };
  });
}

export const handler = makeHandler(realDeps());
