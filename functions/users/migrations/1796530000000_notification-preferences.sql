-- Up Migration
-- Each user's choice of optional emails (today: the organizer's daily sales summary) and the time zone its day is
-- counted in (NULL: UTC). Announced to notifications through the outbox (NotificationPreferencesChanged).
CREATE TABLE notification_preferences (
  user_id              uuid        PRIMARY KEY REFERENCES profiles (user_id) ON DELETE CASCADE,
  daily_sales_summary  boolean     NOT NULL DEFAULT false,
  time_zone            text        CHECK (char_length(time_zone) BETWEEN 1 AND 64),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE notification_preferences;
