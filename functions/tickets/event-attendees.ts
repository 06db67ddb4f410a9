// GET /v1/organizer/events/{id}/attendees: the tickets of one of the caller's events with their buyers, in purchase
// order, a page at a time. Another organizer's event is a 404.
import { getPool } from '../../layers/common/db';
import { NotFoundError } from '../../layers/common/errors';
import { httpHandler, ok } from '../../layers/common/http';
import { attendeeOf, knownTimeZone } from './dashboard';
import { findOwnedEvent, listAttendees } from './dashboard.store';
import { tickets } from './manifest';

export const handler = httpHandler(
  'tickets',
  tickets.routes.eventAttendees,
  async ({ params, query, caller }) => {
    const pool = await getPool('tickets');
    const event = await findOwnedEvent(pool, params.id, caller.userId);
    if (!event) throw new NotFoundError('You have no event with this id.');
    const page = await listAttendees(pool, event.id, knownTimeZone(event.timezone), query);
    return ok(
      { items: page.items.map(attendeeOf), nextCursor: page.nextCursor },
      { 'cache-control': 'no-store' },
    );
  },
);
