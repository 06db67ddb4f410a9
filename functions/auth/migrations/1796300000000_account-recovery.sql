-- Up Migration
-- Refresh rotation with a grace period: a spent token remembers its successor, sealed with a key only the spent
-- token derives, so a client that lost the answer and retries within seconds gets the same pair again.
ALTER TABLE refresh_tokens ADD COLUMN successor_id uuid;
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed bytea;

-- Down Migration
ALTER TABLE refresh_tokens DROP COLUMN successor_sealed;
ALTER TABLE refresh_tokens DROP COLUMN successor_id;
