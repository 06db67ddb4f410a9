// Relaying a service's outbox: right after a commit (best effort) and on the schedule each publishing service
// declares (the safety net that publishes whatever a request or a crash left behind).
import { getPool } from './db';
import { getLogger } from './logger';
import { pruneOutbox, relayOutbox } from './outbox';
import { awsPublisher } from './publisher';

/** After a commit: publish now; a failure is logged and left to the scheduled relay. */
export async function relayNow(service: string): Promise<void> {
  try {
    await relayOutbox(await getPool(service), awsPublisher);
  } catch (error) {
    getLogger(service).warn('outbox relay failed; the scheduled relay will publish', {
      error: error as Error,
    });
  }
}

/** The handler of a service's scheduled relay. */
export function outboxRelayHandler(service: string) {
  return async () => {
    const pool = await getPool(service);
    const result = await relayOutbox(pool, awsPublisher, 500);
    const pruned = await pruneOutbox(pool);
    if (result.published + result.failed + pruned > 0)
      getLogger(service).info('outbox relayed', { ...result, pruned });
    return result;
  };
}
