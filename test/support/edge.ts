// The public pages' promise through the edge (the local stand-in for CloudFront, local/edge-cache.ts): a change
// shows on them within the edge's copy lifetime, not at once. Tests of such pages measure how late the change
// showed instead of expecting it on the next read.
import { events } from '../../functions/events/manifest';
import { waitUntil } from './wait';

/** How long the edge keeps the event page (and the availability route): the staleness they promise. */
export const EDGE_MS = (events.routes.getEvent.edgeCacheSeconds ?? 0) * 1000;

/** What a read adds to a copy's age on a busy machine: the function's own read that made it, and the request. */
export const READ_MARGIN_MS = 500;

/**
 * Reads until `shown` holds and answers how long after `since` (epoch ms, when the change was answered) the last
 * read that did NOT show it was requested: a read requested later than the promised staleness must show it.
 */
export async function staleFor<T>(
  read: () => Promise<T>,
  shown: (value: T) => boolean,
  since: number,
  message = 'the change on the public page',
): Promise<number> {
  let lastStaleRequest = since;
  await waitUntil(
    async () => {
      const requested = Date.now();
      if (shown(await read())) return true;
      lastStaleRequest = requested;
      return false;
    },
    { message },
  );
  return lastStaleRequest - since;
}
