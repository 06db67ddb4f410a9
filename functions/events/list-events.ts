// GET /v1/events: the public catalogue, searched and filtered, one page at a time.
import { httpHandler } from '../../layers/common/http';
import { cachedDeps } from './cached-deps';
import { searchCatalogue } from './catalogue';
import { events } from './manifest';
import type { EventsDeps } from './model';
import { answer } from './respond';

export function makeHandler(deps: EventsDeps) {
  return httpHandler('events', events.routes.listEvents, async ({ query }) => {
    const { page, degraded } = await searchCatalogue(deps, query);
    return answer(200, page, degraded, 'public, max-age=15');
  });
}

export const handler = makeHandler(cachedDeps());
