// SQL for the door: admitting a ticket in one round trip (the check_ins primary key admits it once whatever the
// number of gates), the stats of an event's admissions, and the ticket a holder asks a QR code for.
import type pg from 'pg';
import type { Admission, ScanInput } from './check-ins';

type Db = pg.Pool | pg.PoolClient;

const scanOf = (
  row: { scan_id: string | null; gate: string | null; scanned_at: Date | null },
  prefix = '',
) =>
  row[`${prefix}scan_id` as 'scan_id']
    ? {
        scanId: row[`${prefix}scan_id` as 'scan_id'] as string,
        gate: row[`${prefix}gate` as 'gate'],
        scannedAt: (row[`${prefix}scanned_at` as 'scanned_at'] as Date).toISOString(),
      }
    : null;

/**
 * Admits the ticket a scan names if it is a valid, paid ticket of the event and not yet admitted, in one round trip:
 * `check_in_admit` (migration 17972000000000) decides inside PostgreSQL, where the check_ins primary key lets one of
 * two gates scanning the same ticket at once admit it, and the other reads the winner. `earliestWins` (offline scans)
 * lets a scan made earlier than the recorded admission replace it. Answers the ticket and its admission after the
 * scan (undefined: no such ticket).
 */
export async function admit(db: Db, scan: ScanInput, earliestWins: boolean): Promise<Admission | undefined> {
  const { rows } = await db.query('SELECT * FROM check_in_admit($1, $2, $3, $4, $5, $6, $7, $8)', [
    scan.eventId,
    scan.ticketId ?? null,
    scan.ticketId ? null : (scan.code ?? null),
    scan.scanId,
    scan.gate ?? null,
    scan.scannedAt,
    scan.scannedBy,
    earliestWins,
  ]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    ticketId: row.ticket_id,
    eventId: row.event_id,
    tier: { id: row.tier_id, name: row.tier_name },
    holder: { firstName: row.buyer_first_name },
    ticketStatus: row.status,
    orderStatus: row.order_status,
    winner: scanOf(row),
    displaced: scanOf(row, 'displaced_'),
  };
}

export interface CheckInStats {
  admitted: number;
  tickets: number;
  byTier: { tierId: string; name: string; admitted: number; tickets: number }[];
  byGate: { gate: string | null; admitted: number }[];
  timeline: { start: string; admitted: number }[];
}

/** Admissions of an event by tier, by gate and per 5 minutes of scanning (empty buckets between included). */
export async function checkInStats(db: pg.Pool, eventId: string): Promise<CheckInStats> {
  const [tiers, gates, timeline] = await Promise.all([
    db.query(
      `SELECT tr.tier_id, tr.name,
              (SELECT count(*) FROM check_ins c WHERE c.tier_id = tr.tier_id)::int AS admitted,
              (SELECT count(*) FROM tickets tk JOIN orders o ON o.id = tk.order_id
               WHERE tk.tier_id = tr.tier_id AND tk.status = 'valid' AND o.status = 'confirmed')::int AS tickets
       FROM tiers tr WHERE tr.event_id = $1 ORDER BY tr.position, tr.tier_id`,
      [eventId],
    ),
    db.query(
      `SELECT gate, count(*)::int AS admitted FROM check_ins WHERE event_id = $1
       GROUP BY gate ORDER BY admitted DESC, gate NULLS LAST`,
      [eventId],
    ),
    db.query(
      `WITH b AS (
         SELECT date_bin('5 minutes', scanned_at, timestamptz '2000-01-01Z') AS start, count(*)::int AS admitted
         FROM check_ins WHERE event_id = $1 GROUP BY 1)
       SELECT s.start, coalesce(b.admitted, 0) AS admitted
       FROM (SELECT generate_series(min(start), max(start), interval '5 minutes') AS start FROM b) s
       LEFT JOIN b USING (start) ORDER BY s.start`,
      [eventId],
    ),
  ]);
  const byTier = tiers.rows.map((row) => ({
    tierId: row.tier_id as string,
    name: row.name as string,
    admitted: row.admitted as number,
    tickets: row.tickets as number,
  }));
  return {
    admitted: byTier.reduce((sum, tier) => sum + tier.admitted, 0),
    tickets: byTier.reduce((sum, tier) => sum + tier.tickets, 0),
    byTier,
    byGate: gates.rows.map((row) => ({ gate: row.gate, admitted: row.admitted })),
    timeline: timeline.rows.map((row) => ({
      start: (row.start as Date).toISOString(),
      admitted: row.admitted,
    })),
  };
}

export interface HeldTicket {
  ticketId: string;
  eventId: string;
  code: string;
}

/** A ticket of `userId`'s orders, with its event; undefined when it is not theirs. */
export async function findHeldTicket(
  db: pg.Pool,
  ticketId: string,
  userId: string,
): Promise<HeldTicket | undefined> {
  const { rows } = await db.query(
    `SELECT tk.id, o.event_id, tk.code FROM tickets tk JOIN orders o ON o.id = tk.order_id
     WHERE tk.id = $1 AND o.user_id = $2`,
    [ticketId, userId],
  );
  return rows[0] ? { ticketId: rows[0].id, eventId: rows[0].event_id, code: rows[0].code } : undefined;
}
