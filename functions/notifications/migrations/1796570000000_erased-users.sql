-- Up Migration
-- The accounts deleted by their owners (GDPR art. 17): a message about one that arrives after its AccountDeleted
-- (a change of email preferences published just before the deletion) must not store the person's address again.
CREATE TABLE erased_users (
  user_id    uuid PRIMARY KEY,
  erased_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE erased_users;
