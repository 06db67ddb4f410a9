-- Up Migration
-- Subscriptions: the users service's NotificationPreferencesChanged as last applied (newest as_of wins), with the
-- address and name to write to. Sales summaries: one claim per organizer and day, so a schedule that runs twice
-- (or two that overlap) queues each day's summary once.
CREATE TABLE summary_subscriptions (
  user_id              uuid        PRIMARY KEY,
  email                text        NOT NULL,
  first_name           text        NOT NULL,
  daily_sales_summary  boolean     NOT NULL,
  time_zone            text,
  as_of                timestamptz NOT NULL
);
CREATE INDEX summary_subscriptions_daily ON summary_subscriptions (user_id) WHERE daily_sales_summary;

CREATE TABLE sales_summaries (
  organizer_id  uuid        NOT NULL,
  day           date        NOT NULL,
  queued_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organizer_id, day)
);

ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
  CHECK (kind IN ('confirmation', 'cancellation', 'event-cancelled', 'reminder', 'event-changed', 'team-invitation',
                  'sales-summary'));

-- Down Migration
DELETE FROM deliveries WHERE kind = 'sales-summary';
ALTER TABLE deliveries DROP CONSTRAINT deliveries_kind_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_kind_check
  CHECK (kind IN ('confirmation', 'cancellation', 'event-cancelled', 'reminder', 'event-changed', 'team-invitation'));
DROP TABLE sales_summaries;
DROP TABLE summary_subscriptions;
