-- Up Migration
-- An invitee may decline: the invitation then leaves the organizer's pending list and its token no longer works.
ALTER TABLE team_invitations ADD COLUMN declined_at timestamptz;

-- Down Migration
ALTER TABLE team_invitations DROP COLUMN declined_at;
