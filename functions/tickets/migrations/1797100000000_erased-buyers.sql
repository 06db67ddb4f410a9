-- Up Migration
-- The accounts deleted by their owners (AccountDeleted), kept once their orders are anonymised: an access token of a
-- deleted account stays valid for up to 15 minutes, and must not buy tickets in a name the service has forgotten.
CREATE TABLE erased_users (
  user_id    uuid PRIMARY KEY,
  erased_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE erased_users;
