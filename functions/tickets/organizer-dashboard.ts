// GET /v1/organizer/dashboard: sales across the caller's events, and their upcoming events with the fill rate.
import { httpHandler } from '../../layers/common/http';
import { cachedDeps } from './cached-deps';
import { cacheKey, jsonHeaders } from './dashboard.cache';
import { dashboardOf } from './dashboard.shape';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.organizerDashboard, async ({ caller }) => {
    const { body, hit } = await deps.dashboardCache(cacheKey('dashboard', caller.userId), async () => {
      const now = deps.now();
      return dashboardOf(await deps.dashboard.readDashboardFigures(caller.userId, now), now);
    });
    return { statusCode: 200, body, headers: jsonHeaders(hit) };
  });
}

export const handler = makeHandler(cachedDeps());
