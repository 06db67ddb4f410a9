-- Up Migration
-- What notifications knows of each event from catalogue-events (EventChanged, EventCancelled): the street address or
-- the join link, and the organizer's reason for a cancellation, which ticket messages do not carry. The newest
-- message wins (as_of). Deliveries gain the emails sent about a moved event and team invitations, which go to an
-- address that may have no account yet (no user id).
CREATE TABLE event_details (
  event_id       uuid        PRIMARY KEY,
  organizer_id   uuid,
  name           text,
  starts_at      timestamptz,
  ends_at        timestamptz,
  timezone       text,
  place          text,
  -- { venue, address, city, country } or { onlineUrl }
  location       jsonb,
  cancel_reason  text,
  as_of          timestamptz NOT NULL
);

ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
  CHECK (kind IN ('confirmation', 'cancellation', 'event-cancelled', 'reminder', 'event-changed', 'team-invitation'));
ALTER TABLE deliveries ALTER COLUMN user_id DROP NOT NULL;

-- Down Migration
DELETE FROM deliveries WHERE kind IN ('event-changed', 'team-invitation');
ALTER TABLE deliveries ALTER COLUMN user_id SET NOT NULL;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
  CHECK (kind IN ('confirmation', 'cancellation', 'event-cancelled', 'reminder'));
DROP TABLE event_details;
