// The users database's notification preferences, saved with their announcement in the outbox.
import { USERS_EVENTS_TOPIC } from '../../events/contracts/users';
import { type pg, withTransaction } from '../../layers/common/db';
import { enqueue } from '../../layers/common/outbox';
import type { PreferencesStore } from './preferences';

interface Row {
  daily_sales_summary: boolean;
  time_zone: string | null;
  updated_at: Date;
}

const toPreferences = (row: Row) => ({
  dailySalesSummary: row.daily_sales_summary,
  timeZone: row.time_zone,
});

export function pgPreferencesStore(pool: () => Promise<pg.Pool>): PreferencesStore {
  return {
    async find(userId) {
      const { rows } = await (await pool()).query<Row>(
        'SELECT daily_sales_summary, time_zone, updated_at FROM notification_preferences WHERE user_id = $1',
        [userId],
      );
      return rows[0] ? toPreferences(rows[0]) : undefined;
    },

    async save(userId, preferences, announce) {
      return withTransaction(await pool(), async (client) => {
        // clock_timestamp(): two saves in a row get increasing asOf, so the copy keeps the later one.
        const { rows } = await client.query<Row>(
          `INSERT INTO notification_preferences (user_id, daily_sales_summary, time_zone, updated_at)
           VALUES ($1, $2, $3, clock_timestamp())
           ON CONFLICT (user_id) DO UPDATE
             SET daily_sales_summary = EXCLUDED.daily_sales_summary, time_zone = EXCLUDED.time_zone,
                 updated_at = EXCLUDED.updated_at
           RETURNING daily_sales_summary, time_zone, updated_at`,
          [userId, preferences.dailySalesSummary, preferences.timeZone],
        );
        const row = rows[0] as Row;
        await enqueue(client, { topic: USERS_EVENTS_TOPIC }, [announce(row.updated_at)]);
        return toPreferences(row);
      });
    },
  };
}
