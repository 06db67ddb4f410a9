-- Up Migration
-- Credentials, OAuth clients, refresh tokens (stored hashed, grouped in families for reuse detection) and the
-- signing keys of access tokens.
CREATE TABLE accounts (
  id                  uuid PRIMARY KEY,
  email               text        NOT NULL,
  email_normalized    text        NOT NULL UNIQUE,
  password_hash       text        NOT NULL,
  first_name          text        NOT NULL,
  last_name           text        NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz
);

CREATE TABLE oauth_clients (
  id           text PRIMARY KEY,
  name         text   NOT NULL,
  grant_types  text[] NOT NULL,
  scopes       text[] NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
INSERT INTO oauth_clients (id, name, grant_types, scopes)
VALUES ('web', 'TicketOrLeaveIt web and mobile apps', ARRAY['password', 'refresh_token'], ARRAY['api']);

CREATE TABLE refresh_tokens (
  id          uuid PRIMARY KEY,
  family_id   uuid        NOT NULL,
  account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  client_id   text        NOT NULL REFERENCES oauth_clients (id),
  token_hash  bytea       NOT NULL UNIQUE,
  scope       text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id) WHERE revoked_at IS NULL;

CREATE TABLE signing_keys (
  kid          text PRIMARY KEY,
  private_jwk  jsonb       NOT NULL,
  public_jwk   jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

-- Down Migration
DROP TABLE signing_keys;
DROP TABLE refresh_tokens;
DROP TABLE oauth_clients;
DROP TABLE accounts;
