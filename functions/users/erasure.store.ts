// SQL of forgetting a deleted account (parameterized only): the profile and export records go, and a tombstone
// stays so that neither a late UserRegistered nor a still-valid access token makes the profile again.
import type { pg } from '../../layers/common/db';
import { withTransaction } from '../../layers/common/db';

export async function isErased(pool: pg.Pool, userId: string): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM erased_users WHERE user_id = $1', [userId]);
  return rowCount === 1;
}

export async function eraseUser(pool: pg.Pool, userId: string): Promise<{ profiles: number }> {
  return withTransaction(pool, async (client) => {
    await client.query('INSERT INTO erased_users (user_id) VALUES ($1) ON CONFLICT DO NOTHING', [userId]);
    const profiles = await client.query('DELETE FROM profiles WHERE user_id = $1', [userId]);
    await client.query('DELETE FROM data_exports WHERE user_id = $1', [userId]);
    return { profiles: profiles.rowCount ?? 0 };
  });
}
