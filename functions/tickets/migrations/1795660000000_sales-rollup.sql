-- Up Migration
-- The organizer dashboard reads sales from a rollup per event and 15-minute slot, so sales metrics cost the number of
-- buckets shown, not the number of orders sold. The rollup replaces two indexes of the previous migration that only
-- served raw aggregation over every order, and cost every purchase an index write each: they go. orders_event_cancelled
-- (cancellations over time, written by cancellations only) stays.
DROP INDEX IF EXISTS orders_event_sales;
DROP INDEX IF EXISTS order_items_tier;

-- Sales and cancellations per event, 15-minute UTC slot and currency. Every time zone in use today is offset from UTC
-- by a multiple of 15 minutes, so each local hour or day is a whole number of slots. Filled by the metrics read
-- (dashboard.store.ts) from orders older than a safety margin: an order's created_at, total, currency and items never
-- change, and its cancelled_at and refund are written once, so a slot once sealed stays right. Anything that rewrites
-- that history must delete the event's sales_rollups row and its sales_slots; the next read rebuilds them.
CREATE TABLE sales_slots (
  event_id          uuid        NOT NULL REFERENCES inventories (event_id),
  slot              timestamptz NOT NULL,
  currency          char(3)     NOT NULL,
  orders            integer     NOT NULL DEFAULT 0,
  tickets           integer     NOT NULL DEFAULT 0,
  gross             bigint      NOT NULL DEFAULT 0,
  cancelled_orders  integer     NOT NULL DEFAULT 0,
  cancelled_tickets integer     NOT NULL DEFAULT 0,
  refunds           bigint      NOT NULL DEFAULT 0,
  PRIMARY KEY (event_id, slot, currency)
);

-- How far each event's slots are sealed: orders created (or cancelled) before sealed_until are in sales_slots,
-- later ones are read from orders.
CREATE TABLE sales_rollups (
  event_id     uuid        PRIMARY KEY REFERENCES inventories (event_id),
  sealed_until timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE sales_rollups;
DROP TABLE sales_slots;
CREATE INDEX order_items_tier ON order_items (tier_id) INCLUDE (order_id, quantity);
CREATE INDEX orders_event_sales ON orders (event_id, created_at) INCLUDE (id, status, total, currency, refund);
