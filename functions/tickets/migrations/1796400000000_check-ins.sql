-- Up Migration
-- The door: the keys that sign ticket QR codes, each ticket's one admission, and the read copy of event teams that
-- authorizes scanning (written by the EventTeamChanged consumer; the events service owns teams).
CREATE TABLE qr_signing_keys (
  kid          text PRIMARY KEY,
  private_jwk  jsonb       NOT NULL,
  public_jwk   jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

-- One row per admitted ticket: its primary key is what admits a ticket once, however many gates scan it at once.
-- scanned_at is when the door saw the ticket (the scanner's clock for offline scans: the earliest scan wins).
CREATE TABLE check_ins (
  ticket_id   uuid PRIMARY KEY REFERENCES tickets (id),
  event_id    uuid        NOT NULL REFERENCES inventories (event_id),
  tier_id     uuid        NOT NULL REFERENCES tiers (tier_id),
  scan_id     text        NOT NULL,
  gate        text,
  scanned_at  timestamptz NOT NULL,
  scanned_by  uuid        NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX check_ins_event ON check_ins (event_id, scanned_at);

-- event_id NULL: a member of all the organizer's events.
CREATE TABLE event_staff (
  organizer_id uuid NOT NULL,
  event_id     uuid,
  user_id      uuid NOT NULL,
  role         text NOT NULL CHECK (role IN ('manager', 'check-in')),
  UNIQUE NULLS NOT DISTINCT (organizer_id, event_id, user_id)
);
CREATE INDEX event_staff_user ON event_staff (user_id);

-- The newest team message applied per scope, so an older one arriving late changes nothing.
CREATE TABLE event_staff_versions (
  organizer_id uuid        NOT NULL,
  event_id     uuid,
  as_of        timestamptz NOT NULL,
  UNIQUE NULLS NOT DISTINCT (organizer_id, event_id)
);

-- Down Migration
DROP TABLE event_staff_versions;
DROP TABLE event_staff;
DROP TABLE check_ins;
DROP TABLE qr_signing_keys;
