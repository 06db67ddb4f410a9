-- Up Migration
-- Data-subject requests. data_exports: each copy of a user's data asked for (GDPR art. 15), pending until every
-- service's part has arrived, then ready as one JSON file in the media bucket. erased_users: the accounts deleted
-- by their owners (art. 17), so that no late message or still-valid access token makes their profile again.
CREATE TABLE data_exports (
  id            uuid PRIMARY KEY,
  user_id       uuid        NOT NULL,
  status        text        NOT NULL CHECK (status IN ('pending', 'ready')),
  parts         text[]      NOT NULL DEFAULT '{}',
  file_key      text,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  ready_at      timestamptz,
  CHECK (status = 'pending' OR (file_key IS NOT NULL AND ready_at IS NOT NULL))
);
CREATE INDEX data_exports_user ON data_exports (user_id, requested_at DESC);

CREATE TABLE erased_users (
  user_id    uuid PRIMARY KEY,
  erased_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE erased_users;
DROP TABLE data_exports;
