// SQL for a deleted account's team memberships (parameterized only): the teams it was on, to leave each of them.
import type pg from 'pg';

export async function membershipsOf(
  pool: pg.Pool,
  userId: string,
): Promise<{ organizerId: string; memberId: string }[]> {
  const { rows } = await pool.query<{ organizer_id: string; id: string }>(
    'SELECT organizer_id, id FROM team_members WHERE user_id = $1 ORDER BY organizer_id, id',
    [userId],
  );
  return rows.map((row) => ({ organizerId: row.organizer_id, memberId: row.id }));
}
