// The events database: events read and written with parameterized SQL, the catalogue search (full-text, filters,
// keyset pagination), and the row lock under which a change is agreed with tickets. Connection failures become
// DatabaseUnavailableError, which reads answer from the cache and writes as a 503.
import { CATALOGUE_EVENTS_TOPIC } from '../../events/contracts/catalogue';
import { type pg, withTransaction } from '../../layers/common/db';
import { AppError } from '../../layers/common/errors';
import { enqueue } from '../../layers/common/outbox';
import { PgCode } from '../../layers/common/pg-errors';
import { isTransient } from '../../layers/common/resilience';
import {
  type AuditEntry,
  type AuditNote,
  type CatalogueSearch,
  DatabaseUnavailableError,
  type EventRecord,
  type EventRole,
  type EventStore,
  type Ranked,
} from './model';
import type { EventType, Location, Tier } from './rules';

interface EventRow {
  id: string;
  organizer_id: string;
  status: EventRecord['status'];
  name: string;
  type: EventType;
  description: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  venue: string | null;
  address: string | null;
  city: string | null;
  country: string | null;
  online_url: string | null;
  capacity: number;
  ticket_tiers: Tier[];
  tags: string[];
  images: string[];
  hold_minutes: number;
  refund_until_hours_before: number | null;
  cancel_reason: string | null;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
  cancelled_at: Date | null;
}

const COLUMNS = `id, organizer_id, status, name, type, description, starts_at, ends_at, timezone, venue, address,
  city, country, online_url, capacity, ticket_tiers, tags, images, cancel_reason, created_at, updated_at,
  published_at, cancelled_at, hold_minutes, refund_until_hours_before`;

const iso = (value: Date | null) => (value ? value.toISOString() : null);

function toRecord(row: EventRow): EventRecord {
  const location: Location = row.online_url
    ? { onlineUrl: row.online_url }
    : {
        venue: row.venue ?? '',
        address: row.address ?? '',
        city: row.city ?? '',
        country: row.country ?? '',
      };
  return {
    id: row.id,
    organizerId: row.organizer_id,
    status: row.status,
    name: row.name,
    type: row.type,
    description: row.description,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    timezone: row.timezone,
    location,
    capacity: row.capacity,
    tiers: row.ticket_tiers,
    tags: row.tags,
    images: row.images,
    holdMinutes: row.hold_minutes,
    refundUntilHoursBefore: row.refund_until_hours_before,
    cancelReason: row.cancel_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    publishedAt: iso(row.published_at),
    cancelledAt: iso(row.cancelled_at),
  };
}

/** $1.. in COLUMNS order. */
function values(event: EventRecord): unknown[] {
  const venue = 'onlineUrl' in event.location ? undefined : event.location;
  return [
    event.id,
    event.organizerId,
    event.status,
    event.name,
    event.type,
    event.description,
    event.startsAt,
    event.endsAt,
    event.timezone,
    venue?.venue ?? null,
    venue?.address ?? null,
    venue?.city ?? null,
    venue?.country ?? null,
    'onlineUrl' in event.location ? event.location.onlineUrl : null,
    event.capacity,
    JSON.stringify(
      event.tiers.map(({ id, name, price, currency, quantity }) => ({ id, name, price, currency, quantity })),
    ),
    event.tags,
    event.images,
    event.cancelReason,
    event.createdAt,
    event.updatedAt,
    event.publishedAt,
    event.cancelledAt,
    event.holdMinutes,
    event.refundUntilHoursBefore,
  ];
}

const INSERT = `INSERT INTO events (${COLUMNS}) VALUES (${Array.from({ length: 25 }, (_, index) => `$${index + 1}`).join(', ')})`;
const UPDATE = `UPDATE events SET status = $3, name = $4, type = $5, description = $6, starts_at = $7, ends_at = $8,
  timezone = $9, venue = $10, address = $11, city = $12, country = $13, online_url = $14, capacity = $15,
  ticket_tiers = $16, tags = $17, images = $18, cancel_reason = $19, created_at = $20, updated_at = $21,
  published_at = $22, cancelled_at = $23, hold_minutes = $24, refund_until_hours_before = $25
  WHERE id = $1 AND organizer_id = $2`;

/** The role of user $2 on the event row `e`: owner, else their strongest team membership covering it, else null. */
const ROLE = `CASE WHEN e.organizer_id = $2 THEN 'owner' ELSE (
    SELECT t.role FROM team_members t
    WHERE t.user_id = $2 AND t.organizer_id = e.organizer_id AND (t.event_id = e.id OR t.event_id IS NULL)
    ORDER BY t.role = 'manager' DESC LIMIT 1
  ) END AS role`;

const AUDIT_INSERT = `INSERT INTO event_audit (organizer_id, event_id, actor_id, action, changes, at)
  VALUES ($1, $2, $3, $4, $5, $6)`;

/** Writes one audit line inside the caller's transaction. */
export async function writeAudit(
  client: pg.ClientBase,
  entry: { organizerId: string; eventId: string | null; actorId: string; at: string } & AuditNote,
): Promise<void> {
  await client.query(AUDIT_INSERT, [
    entry.organizerId,
    entry.eventId,
    entry.actorId,
    entry.action,
    JSON.stringify(entry.changes ?? {}),
    entry.at,
  ]);
}

interface AuditRow {
  id: string;
  event_id: string | null;
  actor_id: string;
  action: string;
  changes: Record<string, unknown>;
  at: Date;
}

/**
 * PostgreSQL refusing or losing connections (server down, database closed to connections, too many clients,
 * statement timeout) rather than refusing a statement.
 */
const UNAVAILABLE_CODES = new Set<string>([
  PgCode.OBJECT_NOT_IN_PREREQUISITE_STATE,
  PgCode.CANNOT_CONNECT_NOW,
  PgCode.TOO_MANY_CONNECTIONS,
  PgCode.QUERY_CANCELED,
  PgCode.INVALID_CATALOG_NAME,
  PgCode.INVALID_AUTHORIZATION_SPECIFICATION,
]);
const UNAVAILABLE_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|not currently accepting connections/i;

export function isUnavailable(error: unknown): boolean {
  if (error instanceof AppError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  return isTransient(error) || UNAVAILABLE_MESSAGE.test(error instanceof Error ? error.message : '');
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUnavailable(error)) throw new DatabaseUnavailableError();
    throw error;
  }
}

/** The search as SQL: filters as parameters, the order and the cursor as a keyset condition on the same key. */
export function searchSql(query: CatalogueSearch): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = [`e.status = 'published'`, 'e.starts_at > now()'];
  const from = ['events e'];
  if (query.q) {
    from.push(`websearch_to_tsquery('english', ${param(query.q)}) AS query`);
    where.push('e.search @@ query');
  }
  if (query.types) where.push(`e.type = ANY(${param(query.types)}::text[])`);
  if (query.tags) where.push(`e.tags @> ${param(query.tags)}::text[]`);
  if (query.city) where.push(`lower(e.city) = ${param(query.city)}`);
  if (query.from) where.push(`e.starts_at >= ${param(query.from)}::timestamptz`);
  if (query.to) where.push(`e.starts_at <= ${param(query.to)}::timestamptz`);

  const columns = COLUMNS.split(',')
    .map((column) => `e.${column.trim()}`)
    .join(', ');
  if (query.sort === 'relevance' && query.q) {
    const after = query.after?.sort === 'relevance' ? query.after : undefined;
    const keyset = after
      ? `WHERE rank < ${param(after.rank)}::real
           OR (rank = ${param(after.rank)}::real AND (starts_at, id) > (${param(after.startsAt)}::timestamptz, ${param(after.id)}::uuid))`
      : '';
    // Ranks on the narrow key first and reads whole rows for the page only, not for every match.
    return {
      text: `SELECT ${columns}, top.rank FROM (
               SELECT id, starts_at, rank FROM (
                 SELECT e.id, e.starts_at, ts_rank(e.search, query) AS rank
                 FROM ${from.join(', ')} WHERE ${where.join(' AND ')}
               ) ranked ${keyset}
               ORDER BY rank DESC, starts_at, id LIMIT ${param(query.limit)}
             ) top JOIN events e ON e.id = top.id
             ORDER BY top.rank DESC, top.starts_at, top.id`,
      params,
    };
  }
  if (query.after) {
    where.push(
      `(e.starts_at, e.id) > (${param(query.after.startsAt)}::timestamptz, ${param(query.after.id)}::uuid)`,
    );
  }
  return {
    text: `SELECT ${columns} FROM ${from.join(', ')} WHERE ${where.join(' AND ')}
           ORDER BY e.starts_at, e.id LIMIT ${param(query.limit)}`,
    params,
  };
}

export function pgEventStore(pool: () => Promise<pg.Pool>): EventStore {
  const one = async (text: string, params: unknown[]) =>
    guarded(async () => {
      const { rows } = await (await pool()).query<EventRow>(text, params);
      return rows[0] ? toRecord(rows[0]) : undefined;
    });

  return {
    insert: (event, audit) =>
      guarded(async () =>
        withTransaction(await pool(), async (client) => {
          await client.query(INSERT, values(event));
          await writeAudit(client, {
            organizerId: event.organizerId,
            eventId: event.id,
            actorId: event.organizerId,
            at: event.createdAt,
            ...audit,
          });
        }),
      ),

    findFor: (id, userId) =>
      guarded(async () => {
        const { rows } = await (await pool()).query<EventRow & { role: EventRole | null }>(
          `SELECT ${COLUMNS}, ${ROLE} FROM events e WHERE e.id = $1`,
          [id, userId],
        );
        const row = rows[0];
        return row?.role ? { event: toRecord(row), role: row.role } : undefined;
      }),

    findPublic: (id) => one(`SELECT ${COLUMNS} FROM events WHERE id = $1 AND status <> 'draft'`, [id]),

    listOwn: (userId, { status, limit, after }) =>
      guarded(async () => {
        const params: unknown[] = [userId, status ?? null, limit];
        let keyset = '';
        if (after) {
          params.push(after.createdAt, after.id);
          keyset = 'AND (created_at, id) < ($4::timestamptz, $5::uuid)';
        }
        const { rows } = await (await pool()).query<EventRow>(
          `SELECT ${COLUMNS} FROM events
           WHERE (organizer_id = $1 OR EXISTS (
               SELECT 1 FROM team_members t
               WHERE t.user_id = $1 AND t.role = 'manager' AND t.organizer_id = events.organizer_id
                 AND (t.event_id IS NULL OR t.event_id = events.id)))
             AND ($2::text IS NULL OR status = $2) ${keyset}
           ORDER BY created_at DESC, id DESC LIMIT $3`,
          params,
        );
        return rows.map(toRecord);
      }),

    search: (query) =>
      guarded(async () => {
        const { text, params } = searchSql(query);
        const { rows } = await (await pool()).query<EventRow & { rank?: number }>(text, params);
        return rows.map(
          (row): Ranked => ({ event: toRecord(row), ...(row.rank === undefined ? {} : { rank: row.rank }) }),
        );
      }),

    change: (id, userId, work) =>
      guarded(async () =>
        withTransaction(await pool(), async (client) => {
          const { rows } = await client.query<EventRow & { role: EventRole | null }>(
            `SELECT ${COLUMNS}, ${ROLE} FROM events e WHERE e.id = $1 FOR UPDATE OF e`,
            [id, userId],
          );
          const row = rows[0];
          if (!row?.role) return undefined;
          const before = toRecord(row);
          const change = await work(before, row.role);
          if (!change) return { before, after: before };
          await client.query(UPDATE, values(change.next));
          await enqueue(client, { topic: CATALOGUE_EVENTS_TOPIC }, change.messages ?? []);
          if (change.audit) {
            await writeAudit(client, {
              organizerId: before.organizerId,
              eventId: before.id,
              actorId: userId,
              at: change.next.updatedAt,
              ...change.audit,
            });
          }
          return { before, after: change.next };
        }),
      ),

    auditOf: (eventId, organizerId, { limit, before }) =>
      guarded(async () => {
        const { rows } = await (await pool()).query<AuditRow>(
          `SELECT id::text, event_id, actor_id, action, changes, at FROM event_audit
           WHERE (event_id = $1 OR (event_id IS NULL AND organizer_id = $2))
             AND ($4::bigint IS NULL OR id < $4::bigint)
           ORDER BY event_audit.id DESC LIMIT $3`,
          [eventId, organizerId, limit, before ?? null],
        );
        return rows.map(
          (row): AuditEntry => ({
            id: row.id,
            eventId: row.event_id,
            actorId: row.actor_id,
            action: row.action,
            changes: row.changes,
            at: row.at.toISOString(),
          }),
        );
      }),
  };
}
