-- Up Migration
-- Refresh rotation with a grace period: a spent token remembers its successor, sealed with a key only the spent
-- token derives, so a client that lost the answer and retries within seconds gets the same pair again.
ALTER TABLE refresh_tokens ADD COLUMN successor_id uuid;
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed bytea;

-- Single-use secrets sent by email (password reset, email verification), stored hashed.
CREATE TABLE account_tokens (
  token_hash  bytea PRIMARY KEY,
  account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  purpose     text        NOT NULL CHECK (purpose IN ('password-reset', 'verify-email')),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);

-- Accounts made before verification existed count as verified: their owners have used them all along.
ALTER TABLE accounts ADD COLUMN email_verified_at timestamptz;
UPDATE accounts SET email_verified_at = created_at;

-- Down Migration
ALTER TABLE accounts DROP COLUMN email_verified_at;
DROP TABLE account_tokens;
ALTER TABLE refresh_tokens DROP COLUMN successor_sealed;
ALTER TABLE refresh_tokens DROP COLUMN successor_id;
