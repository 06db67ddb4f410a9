// GET /v1/organizer/events/{id}/attendees: the tickets of one of the caller's events with their buyers, in purchase
// order, a page at a time. Another organizer's event is a 404.
import { httpHandler, ok } from '../../layers/common/http';
import { attendeeOf, knownTimeZone } from './dashboard';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { noSuchOwnedEvent } from './respond';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.eventAttendees, async ({ params, query, caller }) => {
    const event = await deps.dashboard.findOwnedEvent(params.id, caller.userId);
    if (!event) throw noSuchOwnedEvent();
    const page = await deps.dashboard.listAttendees(event.id, knownTimeZone(event.timezone), query);
    return ok(
      { items: page.items.map(attendeeOf), nextCursor: page.nextCursor },
      { 'cache-control': 'no-store' },
    );
  });
}

export const handler = makeHandler(realDeps());
