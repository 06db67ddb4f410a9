-- Up Migration
-- A scan at the door in one round trip, with plans PostgreSQL keeps: the admitting logic moves into a PL/pgSQL
-- function, whose statements are planned once per connection (the CTE the store sent before was parsed and planned on
-- every scan, about twice as long as running it). A prepared statement would keep the plan too, but it pins the client's
-- connection in RDS Proxy; a function call does not. A gate that loses the race for a ticket reads the winner inside
-- the function, where it took a second statement before.
--
-- check_ins.event_id and tier_id are copied from the ticket's own row by this function alone, so their foreign keys
-- only took a KEY SHARE lock on the event's inventory and tier rows for every admission: every gate at once on the
-- same few rows (a MultiXact each time two overlap). The foreign key to the ticket stays and keeps them true.
ALTER TABLE check_ins DROP CONSTRAINT check_ins_event_id_fkey, DROP CONSTRAINT check_ins_tier_id_fkey;

-- The ticket a scan names (by id from a verified QR payload, else by its code) and its admission after the scan: when
-- it is a valid ticket of a confirmed order of p_event_id, the scan admits it unless it was admitted already; with
-- p_earliest_wins (offline scans) a scan made earlier than the recorded admission replaces it and answers it as
-- displaced. No row: no such ticket. The check_ins primary key admits a ticket once, whatever the number of gates.
CREATE FUNCTION check_in_admit(
  p_event_id uuid, p_ticket_id uuid, p_code text, p_scan_id text, p_gate text, p_scanned_at timestamptz,
  p_scanned_by uuid, p_earliest_wins boolean
) RETURNS TABLE (
  ticket_id uuid, event_id uuid, tier_id uuid, tier_name text, status text, order_status text,
  buyer_first_name text, scan_id text, gate text, scanned_at timestamptz,
  displaced_scan_id text, displaced_gate text, displaced_scanned_at timestamptz
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  t record;
  -- The admission after the scan, and the one it replaced (offline scans only).
  a_scan text; a_gate text; a_at timestamptz;
  d_scan text; d_gate text; d_at timestamptz;
BEGIN
  IF p_ticket_id IS NOT NULL THEN
    SELECT tk.id, tk.tier_id, tk.status, o.status AS order_status, o.event_id, tr.name AS tier_name, o.buyer_first_name
      INTO t
      FROM tickets tk JOIN orders o ON o.id = tk.order_id JOIN tiers tr ON tr.tier_id = tk.tier_id
     WHERE tk.id = p_ticket_id;
  ELSE
    SELECT tk.id, tk.tier_id, tk.status, o.status AS order_status, o.event_id, tr.name AS tier_name, o.buyer_first_name
      INTO t
      FROM tickets tk JOIN orders o ON o.id = tk.order_id JOIN tiers tr ON tr.tier_id = tk.tier_id
     WHERE tk.code = p_code;
  END IF;
  IF NOT FOUND THEN
    RETURN;
  END IF;

  IF t.event_id = p_event_id AND t.status = 'valid' AND t.order_status = 'confirmed' THEN
    LOOP
      IF p_earliest_wins THEN
        -- Locked, so the admission answered as displaced is the one replaced, whoever else settles the ticket.
        SELECT c.scan_id, c.gate, c.scanned_at INTO a_scan, a_gate, a_at
          FROM check_ins c WHERE c.ticket_id = t.id FOR UPDATE;
        IF a_scan IS NOT NULL AND a_at > p_scanned_at THEN
          d_scan := a_scan; d_gate := a_gate; d_at := a_at;
          UPDATE check_ins c
             SET scan_id = p_scan_id, gate = p_gate, scanned_at = p_scanned_at, scanned_by = p_scanned_by,
                 recorded_at = now()
           WHERE c.ticket_id = t.id
          RETURNING c.scan_id, c.gate, c.scanned_at INTO a_scan, a_gate, a_at;
        END IF;
        EXIT WHEN a_scan IS NOT NULL;
      END IF;
      INSERT INTO check_ins AS c (ticket_id, event_id, tier_id, scan_id, gate, scanned_at, scanned_by)
      VALUES (t.id, t.event_id, t.tier_id, p_scan_id, p_gate, p_scanned_at, p_scanned_by)
      ON CONFLICT DO NOTHING
      RETURNING c.scan_id, c.gate, c.scanned_at INTO a_scan, a_gate, a_at;
      EXIT WHEN a_scan IS NOT NULL;
      -- Admitted already. A gate that lost the race waited for the winner's commit, so this statement sees its row.
      IF NOT p_earliest_wins THEN
        SELECT c.scan_id, c.gate, c.scanned_at INTO a_scan, a_gate, a_at FROM check_ins c WHERE c.ticket_id = t.id;
        EXIT WHEN a_scan IS NOT NULL;
      END IF;
    END LOOP;
  ELSE
    SELECT c.scan_id, c.gate, c.scanned_at INTO a_scan, a_gate, a_at FROM check_ins c WHERE c.ticket_id = t.id;
  END IF;

  RETURN QUERY SELECT t.id, t.event_id, t.tier_id, t.tier_name, t.status, t.order_status, t.buyer_first_name,
    a_scan, a_gate, a_at, d_scan, d_gate, d_at;
END
$$;

-- Down Migration
DROP FUNCTION check_in_admit(uuid, uuid, text, text, text, timestamptz, uuid, boolean);
ALTER TABLE check_ins
  ADD CONSTRAINT check_ins_event_id_fkey FOREIGN KEY (event_id) REFERENCES inventories (event_id),
  ADD CONSTRAINT check_ins_tier_id_fkey FOREIGN KEY (tier_id) REFERENCES tiers (tier_id);
