// Relaying a service's outbox: right after a commit (best effort) and on the schedule each publishing service
// declares (the safety net that publishes whatever a request or a crash left behind).
import { getPool } from './db';
import { getLogger } from './logger';
import type { Envelope } from './messages';
import { pruneOutbox, relayOutbox } from './outbox';
import { awsPublisher, type Destination } from './publisher';

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

/**
 * After a commit, publishes the messages the transaction wrote to the outbox and marks them published: the fast
 * path for one request's own messages. If it fails, the rows stay pending for the scheduled relay; if the relay
 * publishes them too, consumers see a duplicate, which they ignore (delivery is at least once).
 */
export async function publishCommitted(
  service: string,
  destination: Destination,
  messages: Envelope[],
): Promise<void> {
  if (messages.length === 0) return;
  try {
    const { failedIds } = await awsPublisher.publish(destination, messages);
    const failed = new Set(failedIds);
    const done = messages.map((message) => message.id).filter((id) => !failed.has(id));
    if (done.length > 0) {
      await (await getPool(service)).query(
        'UPDATE outbox SET published_at = now() WHERE id = ANY($1::uuid[])',
        [done],
      );
    }
  } catch (error) {
    getLogger(service).warn('publishing after commit failed; the scheduled relay will publish', {
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
