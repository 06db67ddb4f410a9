// SQL of data exports (parameterized only); a request and its DataExportRequested message commit together.
import { USERS_EVENTS_TOPIC } from '../../events/contracts/users';
import { type pg, withTransaction } from '../../layers/common/db';
import { enqueue } from '../../layers/common/outbox';
import type { DataExport, DataExportStore } from './data-exports';

interface ExportRow {
  id: string;
  user_id: string;
  status: DataExport['status'];
  parts: string[];
  file_key: string | null;
  requested_at: Date;
  ready_at: Date | null;
}

const COLUMNS = 'id, user_id, status, parts, file_key, requested_at, ready_at';

const toExport = (row: ExportRow): DataExport => ({
  id: row.id,
  userId: row.user_id,
  status: row.status,
  parts: row.parts,
  fileKey: row.file_key,
  requestedAt: row.requested_at,
  readyAt: row.ready_at,
});

export function pgDataExportStore(pool: () => Promise<pg.Pool>): DataExportStore {
  return {
    async pendingOf(userId) {
      const { rows } = await (await pool()).query<ExportRow>(
        `SELECT ${COLUMNS} FROM data_exports WHERE user_id = $1 AND status = 'pending'
         ORDER BY requested_at DESC LIMIT 1`,
        [userId],
      );
      return rows[0] ? toExport(rows[0]) : undefined;
    },

    async create(request, message, staleBefore) {
      return withTransaction(await pool(), async (client) => {
        await client.query(
          `UPDATE data_exports SET status = 'failed'
            WHERE user_id = $1 AND status = 'pending' AND requested_at < $2`,
          [request.userId, staleBefore],
        );
        // One export in progress per user (a partial unique index): a concurrent request's export is the answer.
        const inserted = await client.query(
          `INSERT INTO data_exports (id, user_id, status, requested_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id) WHERE status = 'pending' DO NOTHING`,
          [request.id, request.userId, request.status, request.requestedAt],
        );
        if (inserted.rowCount === 1) {
          await enqueue(client, { topic: USERS_EVENTS_TOPIC }, [message]);
          return request;
        }
        const { rows } = await client.query<ExportRow>(
          `SELECT ${COLUMNS} FROM data_exports WHERE user_id = $1 AND status = 'pending'`,
          [request.userId],
        );
        return toExport(rows[0] as ExportRow);
      });
    },

    async find(userId, id) {
      const { rows } = await (await pool()).query<ExportRow>(
        `SELECT ${COLUMNS} FROM data_exports WHERE id = $1 AND user_id = $2`,
        [id, userId],
      );
      return rows[0] ? toExport(rows[0]) : undefined;
    },

    async addPart(id, part) {
      // One statement: two parts arriving at once are both kept, and exactly one of them sees the list complete.
      const { rows } = await (await pool()).query<ExportRow>(
        `UPDATE data_exports
            SET parts = CASE WHEN $2 = ANY (parts) THEN parts ELSE array_append(parts, $2) END
          WHERE id = $1
      RETURNING ${COLUMNS}`,
        [id, part],
      );
      return rows[0] ? toExport(rows[0]) : undefined;
    },

    async markReady(id, fileKey, at) {
      await (await pool()).query(
        `UPDATE data_exports SET status = 'ready', file_key = $2, ready_at = $3 WHERE id = $1 AND status = 'pending'`,
        [id, fileKey, at],
      );
    },
  };
}
