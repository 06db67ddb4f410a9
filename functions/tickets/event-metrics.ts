// GET /v1/organizer/events/{id}/metrics: one of the caller's events — sales over time in its time zone, each tier sold
// and remaining, capacity utilisation, cancellations and revenue. Another organizer's event is a 404.
import { httpHandler } from '../../layers/common/http';
import { cachedDeps } from './cached-deps';
import { knownTimeZone, resolveWindow } from './dashboard';
import { cacheKey, jsonHeaders } from './dashboard.cache';
import { eventMetricsOf } from './dashboard.shape';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { noSuchOwnedEvent } from './respond';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.eventMetrics, async ({ params, query, caller }) => {
    const key = cacheKey('metrics', caller.userId, params.id, query.interval, query.from, query.to);
    const { body, hit } = await deps.dashboardCache(key, async () => {
      const event = await deps.dashboard.findOwnedEvent(params.id, caller.userId);
      if (!event) throw noSuchOwnedEvent();
      const now = deps.now();
      const window = resolveWindow(query, event, now);
      if (event.sealDue) {
        // Sealing only makes later reads cheaper; without it this read takes the orders after the last seal instead.
        await deps.dashboard
          .sealSales(event.id)
          .catch((error: unknown) =>
            deps.warn('sealing sales failed', { error: error as Error, event_id: event.id }),
          );
      }
      const timeZone = knownTimeZone(event.timezone);
      const figures = await deps.dashboard.readMetricsFigures(event, window, timeZone);
      return eventMetricsOf(figures, event, window, timeZone, now);
    });
    return { statusCode: 200, body, headers: jsonHeaders(hit) };
  });
}

export const handler = makeHandler(cachedDeps());
