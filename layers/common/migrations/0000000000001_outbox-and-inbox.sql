-- Up Migration
-- Every service database carries the transactional outbox (messages written in the same transaction as the change
-- they announce) and the inbox of processed message ids that makes consumers idempotent.
CREATE TABLE IF NOT EXISTS outbox (
  id            uuid PRIMARY KEY,
  destination   text        NOT NULL,
  envelope      jsonb       NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  attempts      integer     NOT NULL DEFAULT 0,
  last_error    text
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (created_at) WHERE published_at IS NULL;

CREATE TABLE IF NOT EXISTS processed_messages (
  consumer      text        NOT NULL,
  message_id    uuid        NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);

-- Down Migration
DROP TABLE IF EXISTS processed_messages;
DROP TABLE IF EXISTS outbox;
