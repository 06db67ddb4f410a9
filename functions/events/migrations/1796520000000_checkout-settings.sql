-- Up Migration
-- The organizer's checkout settings of an event: how long a paid order holds its seats while the buyer pays
-- (minutes), and until how many hours before the start an attendee's cancellation is refunded (NULL: no refunds).
ALTER TABLE events
  ADD COLUMN hold_minutes              integer NOT NULL DEFAULT 15 CHECK (hold_minutes BETWEEN 5 AND 60),
  ADD COLUMN refund_until_hours_before integer DEFAULT 0 CHECK (refund_until_hours_before BETWEEN 0 AND 720);

-- Down Migration
ALTER TABLE events DROP COLUMN refund_until_hours_before, DROP COLUMN hold_minutes;
