// SQL of the daily sales summary: the copy of the organizers' preferences and the per-day claims with their outbox
// messages. The day and its bounds are computed by PostgreSQL in each organizer's zone (23- and 25-hour days too).
import type pg from 'pg';
import { withTransaction } from '../../layers/common/db';
import { envelope } from '../../layers/common/messages';
import { enqueue } from '../../layers/common/outbox';
import type { SubscriptionStore } from './sales-summaries';
import {
  SALES_SUMMARIES_QUEUE,
  type SalesSummaryDueV1,
  SalesSummaryMessageTypes,
} from './sales-summaries.schemas';

export function pgSubscriptionStore(pool: () => Promise<pg.Pool>): SubscriptionStore {
  return {
    async apply(preferences) {
      const { rowCount } = await (await pool()).query(
        // A deleted account's late message stores nothing (its tombstone is in erased_users).
        `INSERT INTO summary_subscriptions AS s (user_id, email, first_name, daily_sales_summary, time_zone, as_of)
         SELECT $1::uuid, $2::text, $3::text, $4::boolean, $5::text, $6::timestamptz
          WHERE NOT EXISTS (SELECT 1 FROM erased_users WHERE user_id = $1)
         ON CONFLICT (user_id) DO UPDATE
           SET email = EXCLUDED.email, first_name = EXCLUDED.first_name,
               daily_sales_summary = EXCLUDED.daily_sales_summary, time_zone = EXCLUDED.time_zone,
               as_of = EXCLUDED.as_of
           WHERE s.as_of <= EXCLUDED.as_of`,
        [
          preferences.userId,
          preferences.email,
          preferences.firstName,
          preferences.dailySalesSummary,
          preferences.timeZone,
          preferences.asOf,
        ],
      );
      return rowCount === 1;
    },

    async find(userId) {
      const { rows } = await (await pool()).query<{
        email: string;
        first_name: string;
        daily_sales_summary: boolean;
      }>('SELECT email, first_name, daily_sales_summary FROM summary_subscriptions WHERE user_id = $1', [
        userId,
      ]);
      const row = rows[0];
      return row
        ? {
            userId,
            email: row.email,
            firstName: row.first_name,
            dailySalesSummary: row.daily_sales_summary,
          }
        : undefined;
    },

    async queueDueSummaries(now, correlationId) {
      return withTransaction(await pool(), async (client) => {
        // The (organizer, day) claim decides: a concurrent run waits on it and then inserts nothing.
        const { rows } = await client.query<{
          organizer_id: string;
          day: string;
          zone: string;
          from: Date;
          to: Date;
        }>(
          // A zone the runtime accepted but this PostgreSQL does not know (an old alias) would fail the whole
          // statement, and everyone's summary with it: that organizer's day is counted in UTC instead.
          `WITH zones AS MATERIALIZED (SELECT name FROM pg_timezone_names),
           due AS (
             SELECT user_id, zone, (($1::timestamptz AT TIME ZONE zone)::date - 1) AS day
             FROM (SELECT s.user_id, coalesce(z.name, 'UTC') AS zone
                   FROM summary_subscriptions s
                   LEFT JOIN zones z ON lower(z.name) = lower(coalesce(s.time_zone, 'UTC'))
                   WHERE s.daily_sales_summary) s),
           claimed AS (
             INSERT INTO sales_summaries (organizer_id, day)
             SELECT user_id, day FROM due ON CONFLICT DO NOTHING RETURNING organizer_id, day)
           SELECT c.organizer_id, to_char(c.day, 'YYYY-MM-DD') AS day, due.zone,
                  (c.day::timestamp AT TIME ZONE due.zone) AS "from",
                  ((c.day + 1)::timestamp AT TIME ZONE due.zone) AS "to"
           FROM claimed c JOIN due ON due.user_id = c.organizer_id`,
          [now],
        );
        const { type, version } = SalesSummaryMessageTypes.SalesSummaryDue;
        const messages = rows.map((row) =>
          envelope<SalesSummaryDueV1>(
            'notifications',
            type,
            version,
            {
              organizerId: row.organizer_id,
              day: row.day,
              timeZone: row.zone,
              from: row.from.toISOString(),
              to: row.to.toISOString(),
            },
            correlationId,
          ),
        );
        for (let start = 0; start < messages.length; start += 500)
          await enqueue(client, { queue: SALES_SUMMARIES_QUEUE }, messages.slice(start, start + 500));
        // Claims older than a month can never be due again.
        await client.query('DELETE FROM sales_summaries WHERE day < $1::date - 31', [now]);
        return rows.length;
      });
    },
  };
}
