// SQL for a deleted account's team memberships (parameterized only): the teams it was on, to leave each of them,
// and the team it led; then its address goes from invitations and audit lines.
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';

export async function membershipsOf(
  pool: pg.Pool,
  userId: string,
): Promise<{ organizerId: string; memberId: string }[]> {
  const { rows } = await pool.query<{ organizer_id: string; id: string }>(
    // Its own team too: nobody keeps managing the events of an organizer who is gone.
    'SELECT organizer_id, id FROM team_members WHERE user_id = $1 OR organizer_id = $1 ORDER BY organizer_id, id',
    [userId],
  );
  return rows.map((row) => ({ organizerId: row.organizer_id, memberId: row.id }));
}

/**
 * Deletes the invitations to the account's address or accepted by it, and the invitations its own team had, and
 * takes its id and address out of the audit lines (the change stays, without the person).
 */
export async function forgetTeamAddress(pool: pg.Pool, userId: string, email: string | undefined) {
  return withTransaction(pool, async (client) => {
    const invitations = await client.query(
      'DELETE FROM team_invitations WHERE lower(email) = lower($2::text) OR accepted_by = $1 OR organizer_id = $1',
      [userId, email ?? null],
    );
    const audit = await client.query(
      `UPDATE event_audit SET changes = changes - 'email' - 'userId'
        WHERE changes->>'userId' = $1::text OR lower(changes->>'email') = lower($2::text)`,
      [userId, email ?? null],
    );
    return { invitations: invitations.rowCount ?? 0, auditLines: audit.rowCount ?? 0 };
  });
}
