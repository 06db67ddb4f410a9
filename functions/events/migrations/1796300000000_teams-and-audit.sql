-- Up Migration
-- Event teams: people an organizer lets manage (everything but cancelling) or scan (check-in only) one event, or
-- all of the organizer's events (event_id NULL). Invitations go by email and are accepted with the token the email
-- carries (only its hash is stored). The audit keeps who changed what on an event; a team change that covers all
-- the organizer's events is kept once with event_id NULL and shows in every one of their events' audit.

CREATE TABLE team_members (
  id            uuid        PRIMARY KEY,
  organizer_id  uuid        NOT NULL,
  event_id      uuid        REFERENCES events (id),
  user_id       uuid        NOT NULL,
  email         text        NOT NULL,
  role          text        NOT NULL CHECK (role IN ('manager', 'check-in')),
  invited_by    uuid        NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  CHECK (user_id <> organizer_id)
);
-- One membership per person and scope (an all-events membership has no event id to be distinct on).
CREATE UNIQUE INDEX team_members_scope
  ON team_members (organizer_id, coalesce(event_id, '00000000-0000-0000-0000-000000000000'::uuid), user_id);
-- A request's role check: the caller's memberships.
CREATE INDEX team_members_user ON team_members (user_id, organizer_id);

CREATE TABLE team_invitations (
  id            uuid        PRIMARY KEY,
  organizer_id  uuid        NOT NULL,
  event_id      uuid        REFERENCES events (id),
  email         text        NOT NULL CHECK (email = lower(email)),
  role          text        NOT NULL CHECK (role IN ('manager', 'check-in')),
  token_hash    bytea       NOT NULL UNIQUE,
  invited_by    uuid        NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  accepted_at   timestamptz,
  accepted_by   uuid,
  revoked_at    timestamptz
);
CREATE INDEX team_invitations_organizer ON team_invitations (organizer_id, created_at DESC)
  WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE event_audit (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organizer_id  uuid        NOT NULL,
  event_id      uuid        REFERENCES events (id),
  actor_id      uuid        NOT NULL,
  action        text        NOT NULL,
  changes       jsonb       NOT NULL DEFAULT '{}',
  at            timestamptz NOT NULL
);
CREATE INDEX event_audit_event ON event_audit (event_id, id DESC);
CREATE INDEX event_audit_organizer_wide ON event_audit (organizer_id, id DESC) WHERE event_id IS NULL;

-- Down Migration
DROP TABLE event_audit;
DROP TABLE team_invitations;
DROP TABLE team_members;
