// SQL for the account-deletion check: an organizer's published events that have not ended (parameterized only).
import type pg from 'pg';
import type { OrganizerCommitments } from '../../events/contracts/privacy';

export async function upcomingOnSale(
  pool: pg.Pool,
  organizerId: string,
  limit = 20,
): Promise<OrganizerCommitments['upcomingOnSale']> {
  const { rows } = await pool.query<{ id: string; name: string; starts_at: Date }>(
    `SELECT id, name, starts_at FROM events
     WHERE organizer_id = $1 AND status = 'published' AND ends_at > now()
     ORDER BY starts_at, id LIMIT $2`,
    [organizerId, limit],
  );
  return rows.map((row) => ({ id: row.id, name: row.name, startsAt: row.starts_at.toISOString() }));
}
