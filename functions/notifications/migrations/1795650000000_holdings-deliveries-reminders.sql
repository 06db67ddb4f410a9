-- Up Migration
-- Holdings: what notifications knows of each order, kept from ticket-events (it never reads the tickets database).
-- Deliveries: one row per email, claimed under a unique dedupe key before sending, so a redelivered message never
-- sends twice; the sent ones are the user's notification history. Reminders: one claim per (event, holder), so
-- overlapping scans queue each reminder once.
CREATE TABLE holdings (
  order_id         uuid PRIMARY KEY,
  user_id          uuid        NOT NULL,
  email            text        NOT NULL,
  first_name       text        NOT NULL,
  event_id         uuid        NOT NULL,
  event_name       text        NOT NULL,
  event_starts_at  timestamptz NOT NULL,
  event_ends_at    timestamptz NOT NULL,
  event_timezone   text        NOT NULL,
  event_place      text        NOT NULL,
  -- 0 while only the cancellation has arrived (messages may come out of order).
  ticket_count     integer     NOT NULL CHECK (ticket_count >= 0),
  ticket_codes     text[]      NOT NULL DEFAULT '{}',
  status           text        NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
  purchased_at     timestamptz,
  cancelled_at     timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- The reminder scan: confirmed holdings of events starting soon.
CREATE INDEX holdings_upcoming ON holdings (event_starts_at) WHERE status = 'confirmed';
CREATE INDEX holdings_event_user ON holdings (event_id, user_id);

CREATE TABLE deliveries (
  id                   uuid PRIMARY KEY,
  dedupe_key           text        NOT NULL UNIQUE,
  kind                 text        NOT NULL CHECK (kind IN ('confirmation', 'cancellation', 'event-cancelled', 'reminder')),
  user_id              uuid        NOT NULL,
  recipient            text        NOT NULL,
  subject              text        NOT NULL,
  order_id             uuid,
  event_id             uuid,
  -- sending: claimed, the send is in flight (or crashed); failed: the send failed and may be claimed again;
  -- unconfirmed: a claim that never completed and was given up so as not to send twice.
  status               text        NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'unconfirmed')),
  attempts             integer     NOT NULL DEFAULT 1,
  last_error           text,
  provider_message_id  text,
  claimed_at           timestamptz NOT NULL,
  -- Millisecond precision, like the cursors that page through it.
  sent_at              timestamptz,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_history ON deliveries (user_id, sent_at DESC, id DESC) WHERE status = 'sent';

CREATE TABLE reminders (
  event_id    uuid        NOT NULL,
  user_id     uuid        NOT NULL,
  starts_at   timestamptz NOT NULL,
  queued_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, user_id)
);

-- Down Migration
DROP TABLE reminders;
DROP TABLE deliveries;
DROP TABLE holdings;
