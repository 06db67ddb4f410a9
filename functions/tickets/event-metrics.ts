// GET /v1/organizer/events/{id}/metrics: one of the caller's events — sales over time in its time zone, each tier sold
// and remaining, capacity utilisation, cancellations and revenue. Another organizer's event is a 404.
import { getPool } from '../../layers/common/db';
import { NotFoundError } from '../../layers/common/errors';
import { httpHandler } from '../../layers/common/http';
import { getLogger } from '../../layers/common/logger';
import { knownTimeZone, resolveWindow } from './dashboard';
import { cachedJson, cacheKey, jsonHeaders } from './dashboard.cache';
import { findOwnedEvent, readEventMetrics, sealSales } from './dashboard.store';
import { tickets } from './manifest';

export const handler = httpHandler(
  'tickets',
  tickets.routes.eventMetrics,
  async ({ params, query, caller }) => {
    const key = cacheKey('metrics', caller.userId, params.id, query.interval, query.from, query.to);
    const { body, hit } = await cachedJson(key, async () => {
      const pool = await getPool('tickets');
      const event = await findOwnedEvent(pool, params.id, caller.userId);
      if (!event) throw new NotFoundError('You have no event with this id.');
      const now = new Date();
      const window = resolveWindow(query, event, now);
      if (event.sealDue) {
        // Sealing only makes later reads cheaper; without it this read takes the orders after the last seal instead.
        await sealSales(pool, event.id).catch((error: unknown) =>
          getLogger('tickets').warn('sealing sales failed', { error: error as Error, event_id: event.id }),
        );
      }
      return readEventMetrics(pool, event, window, knownTimeZone(event.timezone), now);
    });
    return { statusCode: 200, body, headers: jsonHeaders(hit) };
  },
);
