-- Up Migration
-- Two-step sign-in (TOTP, RFC 6238): the account's authenticator secret (set at enrolment, in force once a first code
-- confirms it), the last time step a code was accepted for (a code works once), single-use recovery codes (stored
-- hashed) and the short-lived challenges a password sign-in answers with when a code is still needed.
ALTER TABLE accounts ADD COLUMN totp_secret text;
ALTER TABLE accounts ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE accounts ADD COLUMN totp_last_step bigint;

CREATE TABLE recovery_codes (
  code_hash   bytea PRIMARY KEY,
  account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

CREATE TABLE mfa_challenges (
  token_hash  bytea PRIMARY KEY,
  account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  client_id   text        NOT NULL REFERENCES oauth_clients (id),
  scope       text        NOT NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mfa_challenges_expires ON mfa_challenges (expires_at);

-- Where a sign-in came from, for "my sign-ins" (captured when its first token is issued).
ALTER TABLE refresh_tokens ADD COLUMN ip text;
ALTER TABLE refresh_tokens ADD COLUMN user_agent text;

-- The second step of the password grant is its own grant (RFC 6749 §4.5 extension grant).
UPDATE oauth_clients
SET grant_types = array_append(grant_types, 'urn:ticketorleaveit:params:oauth:grant-type:mfa-otp')
WHERE 'password' = ANY (grant_types);

-- Down Migration
UPDATE oauth_clients
SET grant_types = array_remove(grant_types, 'urn:ticketorleaveit:params:oauth:grant-type:mfa-otp');
ALTER TABLE refresh_tokens DROP COLUMN user_agent;
ALTER TABLE refresh_tokens DROP COLUMN ip;
DROP TABLE mfa_challenges;
DROP TABLE recovery_codes;
ALTER TABLE accounts DROP COLUMN totp_last_step;
ALTER TABLE accounts DROP COLUMN totp_enabled_at;
ALTER TABLE accounts DROP COLUMN totp_secret;
