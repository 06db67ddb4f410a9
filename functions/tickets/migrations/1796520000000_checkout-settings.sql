-- Up Migration
-- Each event's checkout settings as its organizer set them (the events service sends them with the inventory): how
-- long a paid order holds its seats, and until how many hours before the start an attendee's cancellation is
-- refunded (NULL: paid orders are not refundable by the attendee). The hold is kept in seconds so a test or bench can
-- give an event a hold of seconds; the organizer sets minutes. An order keeps the refund policy it was bought under,
-- so a later change of policy never takes a refund away from an earlier buyer (NULL: none). A released hold's payment
-- is cancelled at the provider by the holds sweep (payment_cancel pending, then done), so its buyer can no longer
-- pay for seats that went back on sale.
ALTER TABLE inventories
  ADD COLUMN hold_seconds              integer NOT NULL DEFAULT 900 CHECK (hold_seconds > 0),
  ADD COLUMN refund_until_hours_before integer DEFAULT 0 CHECK (refund_until_hours_before >= 0);
ALTER TABLE orders
  ADD COLUMN refund_hours_before integer DEFAULT 0 CHECK (refund_hours_before >= 0),
  ADD COLUMN payment_cancel      text CHECK (payment_cancel IN ('pending', 'done'));
CREATE INDEX orders_payment_cancels ON orders (expires_at) WHERE payment_cancel = 'pending';

-- Down Migration
DROP INDEX orders_payment_cancels;
ALTER TABLE orders DROP COLUMN payment_cancel, DROP COLUMN refund_hours_before;
ALTER TABLE inventories DROP COLUMN refund_until_hours_before, DROP COLUMN hold_seconds;
