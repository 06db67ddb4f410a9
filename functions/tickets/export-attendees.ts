// GET /v1/organizer/events/{id}/attendees.csv: the attendee list and its orders as a spreadsheet-safe CSV file, one
// row per ticket, up to 20,000 rows (and 5 MB) per file; `x-next-cursor` and a Link header lead to the next file.
import { httpHandler } from '../../layers/common/http';
import { attendeesCsv, exportFileName, knownTimeZone } from './dashboard';
import { realDeps } from './deps';
import { tickets } from './manifest';
import type { TicketsDeps } from './model';
import { noSuchOwnedEvent } from './respond';

export function makeHandler(deps: TicketsDeps) {
  return httpHandler('tickets', tickets.routes.exportAttendees, async ({ params, query, caller }) => {
    const event = await deps.dashboard.findOwnedEvent(params.id, caller.userId);
    if (!event) throw noSuchOwnedEvent();
    const timeZone = knownTimeZone(event.timezone);
    const csv = attendeesCsv(await deps.dashboard.listAttendees(event.id, timeZone, query), timeZone);
    const headers: Record<string, string> = {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFileName(event.name, event.id)}"`,
      'cache-control': 'no-store',
      'x-export-rows': String(csv.rows),
    };
    if (csv.nextCursor) {
      const next = new URLSearchParams({ cursor: csv.nextCursor, limit: String(query.limit) });
      if (query.status) next.set('status', query.status);
      headers['x-next-cursor'] = csv.nextCursor;
      headers.link = `</v1/organizer/events/${event.id}/attendees.csv?${next}>; rel="next"`;
    }
    return { statusCode: 200, body: csv.body, headers };
  });
}

export const handler = makeHandler(realDeps());
