// SQL for the door: admitting a ticket in one statement (the check_ins primary key admits it once whatever the
// number of gates), the stats of an event's admissions, and the ticket a holder asks a QR code for.
import type pg from 'pg';
import type { Admission, FirstScan, ScanInput } from './check-ins';

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
 * Admits the ticket a scan names if it is a valid, paid ticket of the event and not yet admitted: one statement, so
 * two gates scanning the same ticket at once both reach the primary key and one of them admits it. `earliestWins`
 * (offline scans) lets a scan made earlier than the recorded admission replace it. Answers what the door needs to
 * decide: the ticket, the admission before this scan and the one after (undefined: no such ticket).
 */
export async function admit(db: Db, scan: ScanInput, earliestWins: boolean): Promise<Admission | undefined> {
  const lookup = scan.ticketId ? 'tk.id = $2::uuid' : 'tk.code = $2';
  const onConflict = earliestWins
    ? `DO UPDATE SET scan_id = excluded.scan_id, gate = excluded.gate, scanned_at = excluded.scanned_at,
         scanned_by = excluded.scanned_by, recorded_at = now()
       WHERE check_ins.scanned_at > excluded.scanned_at`
    : 'DO NOTHING';
  const { rows } = await db.query(
    `WITH t AS (
       SELECT tk.id, tk.tier_id, tk.status, o.status AS order_status, o.event_id, tr.name AS tier_name,
              o.buyer_first_name
       FROM tickets tk JOIN orders o ON o.id = tk.order_id JOIN tiers tr ON tr.tier_id = tk.tier_id
       WHERE ${lookup}),
     prev AS (SELECT c.scan_id, c.gate, c.scanned_at FROM check_ins c JOIN t ON c.ticket_id = t.id),
     ins AS (
       INSERT INTO check_ins (ticket_id, event_id, tier_id, scan_id, gate, scanned_at, scanned_by)
       SELECT id, event_id, tier_id, $3, $4, $5, $6 FROM t
       WHERE event_id = $1 AND status = 'valid' AND order_status = 'confirmed'
       ON CONFLICT (ticket_id) ${onConflict}
       RETURNING scan_id, gate, scanned_at)
     SELECT t.*, prev.scan_id AS prev_scan_id, prev.gate AS prev_gate, prev.scanned_at AS prev_scanned_at,
            ins.scan_id, ins.gate, ins.scanned_at
     FROM t LEFT JOIN prev ON true LEFT JOIN ins ON true`,
    [
      scan.eventId,
      scan.ticketId ?? scan.code,
      scan.scanId,
      scan.gate ?? null,
      scan.scannedAt,
      scan.scannedBy,
    ],
  );
  const row = rows[0];
  if (!row) return undefined;
  const previous = scanOf(row, 'prev_');
  const written = scanOf(row);
  let winner: FirstScan | null = written ?? previous;
  // A gate that lost the race to the primary key did not see the winner's row in its snapshot: read it now.
  if (
    !winner &&
    row.event_id === scan.eventId &&
    row.status === 'valid' &&
    row.order_status === 'confirmed'
  ) {
    const again = await db.query('SELECT scan_id, gate, scanned_at FROM check_ins WHERE ticket_id = $1', [
      row.id,
    ]);
    winner = again.rows[0] ? scanOf(again.rows[0]) : null;
  }
  return {
    ticketId: row.id,
    eventId: row.event_id,
    tier: { id: row.tier_id, name: row.tier_name },
    holder: { firstName: row.buyer_first_name },
    ticketStatus: row.status,
    orderStatus: row.order_status,
    winner,
    displaced: written && previous ? previous : null,
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
