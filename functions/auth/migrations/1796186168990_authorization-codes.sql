-- Up Migration
-- The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636): clients may declare redirect URIs, codes are
-- stored hashed and single-use, and refresh tokens may carry their own (shorter, browser) lifetime.
ALTER TABLE oauth_clients ADD COLUMN redirect_uris text[] NOT NULL DEFAULT '{}';
UPDATE oauth_clients SET grant_types = array_append(grant_types, 'authorization_code')
WHERE id = 'web' AND NOT 'authorization_code' = ANY (grant_types);

ALTER TABLE refresh_tokens ADD COLUMN lifetime_seconds integer;

CREATE TABLE authorization_codes (
  code_hash       bytea PRIMARY KEY,
  client_id       text        NOT NULL REFERENCES oauth_clients (id),
  account_id      uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  redirect_uri    text        NOT NULL,
  code_challenge  text        NOT NULL,
  scope           text        NOT NULL,
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz,
  -- The sign-in the code was exchanged for, revoked if the code is presented again (RFC 6749 §4.1.2).
  family_id       uuid,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);

-- Down Migration
DROP TABLE authorization_codes;
ALTER TABLE refresh_tokens DROP COLUMN lifetime_seconds;
UPDATE oauth_clients SET grant_types = array_remove(grant_types, 'authorization_code') WHERE id = 'web';
ALTER TABLE oauth_clients DROP COLUMN redirect_uris;
