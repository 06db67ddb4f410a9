// SQL of what catalogue-events tells notifications: event details (newest message wins), the holdings' snapshot of a
// moved event and its reminder claims, and the holders to tell.
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';
import type { EventDetailsStore, EventLocation } from './event-changes';
import { type HoldingRow, toHolder } from './notifications.store';

export function pgEventDetailsStore(pool: () => Promise<pg.Pool>): EventDetailsStore {
  return {
    async detailsOf(eventId) {
      const { rows } = await (await pool()).query<{
        location: EventLocation | null;
        cancel_reason: string | null;
      }>('SELECT location, cancel_reason FROM event_details WHERE event_id = $1', [eventId]);
      const row = rows[0];
      return row ? { location: row.location, cancelReason: row.cancel_reason } : undefined;
    },

    async applyChange(change) {
      return withTransaction(await pool(), async (client) => {
        const { rowCount } = await client.query(
          `INSERT INTO event_details (event_id, organizer_id, name, starts_at, ends_at, timezone, place, location, as_of)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (event_id) DO UPDATE SET
             organizer_id = EXCLUDED.organizer_id, name = EXCLUDED.name, starts_at = EXCLUDED.starts_at,
             ends_at = EXCLUDED.ends_at, timezone = EXCLUDED.timezone, place = EXCLUDED.place,
             location = EXCLUDED.location, as_of = EXCLUDED.as_of
           WHERE event_details.as_of <= EXCLUDED.as_of`,
          [
            change.eventId,
            change.organizerId,
            change.name,
            change.startsAt,
            change.endsAt,
            change.timezone,
            change.place,
            JSON.stringify(change.location),
            change.asOf,
          ],
        );
        if (rowCount === 0) return false;
        await client.query(
          `UPDATE holdings SET event_name = $2, event_starts_at = $3, event_ends_at = $4, event_timezone = $5,
             event_place = $6, updated_at = now()
           WHERE event_id = $1`,
          [change.eventId, change.name, change.startsAt, change.endsAt, change.timezone, change.place],
        );
        await client.query('DELETE FROM reminders WHERE event_id = $1 AND starts_at <> $2', [
          change.eventId,
          change.startsAt,
        ]);
        return true;
      });
    },

    async recordCancelReason(cancelled, at) {
      await (await pool()).query(
        `INSERT INTO event_details (event_id, organizer_id, name, starts_at, timezone, cancel_reason, as_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (event_id) DO UPDATE SET cancel_reason = EXCLUDED.cancel_reason`,
        [
          cancelled.eventId,
          cancelled.organizerId,
          cancelled.name,
          cancelled.startsAt,
          cancelled.timezone,
          cancelled.reason ?? null,
          at,
        ],
      );
    },

    async holdersOf(eventId) {
      const { rows } = await (await pool()).query<HoldingRow>(
        `SELECT user_id, min(email) AS email, min(first_name) AS first_name, event_id, min(event_name) AS event_name,
                min(event_starts_at) AS event_starts_at, min(event_ends_at) AS event_ends_at,
                min(event_timezone) AS event_timezone, min(event_place) AS event_place,
                count(code)::int AS ticket_count, array_agg(code ORDER BY code) AS ticket_codes
         FROM holdings, unnest(ticket_codes) AS code
         WHERE event_id = $1 AND status = 'confirmed' AND ticket_count > 0
         GROUP BY event_id, user_id ORDER BY user_id`,
        [eventId],
      );
      return rows.map(toHolder);
    },
  };
}
