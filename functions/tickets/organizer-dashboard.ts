// GET /v1/organizer/dashboard: sales across the caller's events, and their upcoming events with the fill rate.
import { getPool } from '../../layers/common/db';
import { httpHandler } from '../../layers/common/http';
import { cachedJson, cacheKey, jsonHeaders } from './dashboard.cache';
import { readDashboard } from './dashboard.store';
import { tickets } from './manifest';

export const handler = httpHandler('tickets', tickets.routes.organizerDashboard, async ({ caller }) => {
  const { body, hit } = await cachedJson(cacheKey('dashboard', caller.userId), async () =>
    readDashboard(await getPool('tickets'), caller.userId),
  );
  return { statusCode: 200, body, headers: jsonHeaders(hit) };
});
