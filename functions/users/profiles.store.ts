// The users database: profiles, read and written with parameterized SQL only.
import { type pg, withTransaction } from '../../layers/common/db';
import { markProcessed } from '../../layers/common/outbox';
import type { NewProfile, Profile, ProfileChanges, ProfileStore } from './profiles';

interface ProfileRow {
  user_id: string;
  email: string;
  first_name: string;
  last_name: string;
  picture_key: string | null;
}

const COLUMNS = 'user_id, email, first_name, last_name, picture_key';

const toProfile = (row: ProfileRow): Profile => ({
  userId: row.user_id,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  pictureKey: row.picture_key,
});

// A deleted account's profile is never made again, whatever message or token arrives late.
const INSERT_IF_ABSENT = `INSERT INTO profiles (user_id, email, first_name, last_name)
  SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM erased_users WHERE user_id = $1)
  ON CONFLICT (user_id) DO NOTHING RETURNING ${COLUMNS}`;

const insertValues = (profile: NewProfile) => [
  profile.userId,
  profile.email,
  profile.firstName,
  profile.lastName,
];

export function pgProfileStore(pool: () => Promise<pg.Pool>): ProfileStore {
  const find = async (userId: string) => {
    const { rows } = await (await pool()).query<ProfileRow>(
      `SELECT ${COLUMNS} FROM profiles WHERE user_id = $1`,
      [userId],
    );
    return rows[0] ? toProfile(rows[0]) : undefined;
  };

  return {
    find,

    async createIfAbsent(profile) {
      const { rows } = await (await pool()).query<ProfileRow>(INSERT_IF_ABSENT, insertValues(profile));
      if (rows[0]) return toProfile(rows[0]);
      // Someone else (the consumer, a parallel request) created it first; theirs stands. A separate statement
      // sees their committed row, which the insert's own snapshot may not. Neither: the account was deleted.
      return find(profile.userId);
    },

    async createFromMessage(consumer, messageId, profile) {
      return withTransaction(await pool(), async (client) => {
        if (!(await markProcessed(client, consumer, messageId))) return false;
        await client.query(INSERT_IF_ABSENT, insertValues(profile));
        return true;
      });
    },

    async update(userId, changes: ProfileChanges) {
      // The old row is locked and read in the same statement, so the previous picture key is the one replaced.
      const { rows } = await (await pool()).query<ProfileRow & { previous_picture_key: string | null }>(
        `UPDATE profiles AS p
            SET first_name  = COALESCE($2, p.first_name),
                last_name   = COALESCE($3, p.last_name),
                picture_key = CASE WHEN $4::boolean THEN $5 ELSE p.picture_key END,
                updated_at  = now()
           FROM (SELECT user_id, picture_key FROM profiles WHERE user_id = $1 FOR UPDATE) AS old
          WHERE p.user_id = old.user_id
      RETURNING p.user_id, p.email, p.first_name, p.last_name, p.picture_key, old.picture_key AS previous_picture_key`,
        [
          userId,
          changes.firstName ?? null,
          changes.lastName ?? null,
          changes.pictureKey !== undefined,
          changes.pictureKey ?? null,
        ],
      );
      const row = rows[0];
      return row ? { profile: toProfile(row), previousPictureKey: row.previous_picture_key } : undefined;
    },
  };
}
