-- Up Migration
-- The accounts deleted by their owners (GDPR art. 17): a message about one that arrives after its AccountDeleted
-- (a change of email preferences published just before the deletion) must not store the person's address again.
CREATE TABLE erased_users (
  user_id    uuid PRIMARY KEY,
  erased_at  timestamptz NOT NULL DEFAULT now()
);
-- Forgetting a deleted account finds the emails sent to its address without its user id (team invitations).
CREATE INDEX deliveries_recipient ON deliveries (lower(recipient));

-- Down Migration
DROP INDEX deliveries_recipient;
DROP TABLE erased_users;
