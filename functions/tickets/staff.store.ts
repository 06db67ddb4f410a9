// SQL for who may work an event: its owner (the organizer on its inventory) and the team copied from the events
// service (event_staff, kept by the EventTeamChanged consumer).
import type pg from 'pg';
import type { EventTeamChangedV1 } from '../../events/contracts/catalogue';
import { withTransaction } from '../../layers/common/db';

export type StaffRole = 'owner' | 'manager' | 'check-in';

/**
 * The caller's role on an event: owner, or their team role for the event or for all the organizer's events (the
 * stronger one when both); undefined when they have none or there is no such event.
 */
export async function staffRole(
  db: pg.Pool,
  eventId: string,
  userId: string,
): Promise<StaffRole | undefined> {
  const { rows } = await db.query(
    `SELECT CASE WHEN i.organizer_id = $2 THEN 'owner' ELSE (
              SELECT s.role FROM event_staff s
              WHERE s.user_id = $2 AND s.organizer_id = i.organizer_id AND (s.event_id = i.event_id OR s.event_id IS NULL)
              ORDER BY s.role = 'manager' DESC LIMIT 1) END AS role
     FROM inventories i WHERE i.event_id = $1`,
    [eventId, userId],
  );
  return rows[0]?.role ?? undefined;
}

/**
 * Replaces a team scope's members with the message's, unless a message as new or newer was applied already
 * (redelivered or late messages change nothing). Answers whether it applied.
 */
export async function applyTeam(db: pg.Pool, team: EventTeamChangedV1): Promise<boolean> {
  return withTransaction(db, async (client) => {
    const newer = await client.query(
      `INSERT INTO event_staff_versions (organizer_id, event_id, as_of) VALUES ($1, $2, $3)
       ON CONFLICT (organizer_id, event_id) DO UPDATE SET as_of = excluded.as_of
       WHERE event_staff_versions.as_of < excluded.as_of
       RETURNING as_of`,
      [team.organizerId, team.eventId, team.asOf],
    );
    if (newer.rowCount === 0) return false;
    await client.query(
      'DELETE FROM event_staff WHERE organizer_id = $1 AND event_id IS NOT DISTINCT FROM $2',
      [team.organizerId, team.eventId],
    );
    await client.query(
      `INSERT INTO event_staff (organizer_id, event_id, user_id, role)
       SELECT $1, $2, m.user_id, m.role FROM unnest($3::uuid[], $4::text[]) AS m(user_id, role)
       ON CONFLICT DO NOTHING`,
      [team.organizerId, team.eventId, team.members.map((m) => m.userId), team.members.map((m) => m.role)],
    );
    return true;
  });
}
