-- Up Migration
-- Paid orders: a purchase with a total above zero holds its seats (taken from the slots like a sale) in an order
-- awaiting payment until expires_at; only the payment provider's webhook confirms it and issues its tickets. A hold
-- that expires or whose payment fails is released (status expired, seats given back). placed_at is when an order
-- became a sale (free orders: at once; paid ones: when paid), so the dashboard counts sales when they happen.
-- payment_events is the webhook's inbox: each provider event is handled once, by its id.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
UPDATE orders SET status = 'awaiting_payment' WHERE status = 'pending_payment';
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('awaiting_payment', 'confirmed', 'cancelled', 'expired'));
ALTER TABLE orders
  ADD COLUMN expires_at            timestamptz,
  ADD COLUMN placed_at             timestamptz,
  ADD COLUMN payment_provider      text,
  ADD COLUMN payment_id            text,
  ADD COLUMN payment_client_secret text,
  ADD COLUMN payment_checkout_url  text,
  ADD COLUMN paid_at               timestamptz,
  ADD COLUMN paid_amount           bigint,
  ADD COLUMN refund_status         text CHECK (refund_status IN ('pending', 'succeeded', 'failed')),
  ADD COLUMN refund_id             text;
UPDATE orders SET placed_at = created_at WHERE status IN ('confirmed', 'cancelled');
UPDATE orders SET refund_status = 'succeeded' WHERE refund IS NOT NULL;
-- Holds of an event (a purchase that finds seats short releases the expired ones) and all holds by expiry (the sweep).
CREATE INDEX orders_event_holds ON orders (event_id, expires_at) WHERE status = 'awaiting_payment';
CREATE INDEX orders_holds ON orders (expires_at) WHERE status = 'awaiting_payment';
-- The dashboard reads an event's sales after its rollup's seal by when they were placed.
CREATE INDEX orders_event_placed ON orders (event_id, placed_at) WHERE placed_at IS NOT NULL;
-- Refunds the provider has not confirmed yet, retried by the sweep.
CREATE INDEX orders_refunds_pending ON orders (cancelled_at) WHERE refund_status = 'pending';

CREATE TABLE payment_events (
  event_id    text PRIMARY KEY,
  type        text        NOT NULL,
  order_id    uuid,
  outcome     text        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE payment_events;
DROP INDEX orders_refunds_pending;
DROP INDEX orders_event_placed;
DROP INDEX orders_holds;
DROP INDEX orders_event_holds;
ALTER TABLE orders DROP COLUMN refund_id, DROP COLUMN refund_status, DROP COLUMN paid_amount, DROP COLUMN paid_at,
  DROP COLUMN payment_checkout_url, DROP COLUMN payment_client_secret, DROP COLUMN payment_id,
  DROP COLUMN payment_provider, DROP COLUMN placed_at, DROP COLUMN expires_at;
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
UPDATE orders SET status = 'pending_payment' WHERE status IN ('awaiting_payment', 'expired');
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('pending_payment', 'confirmed', 'cancelled'));
