-- Up Migration
-- Indexes for the organizer dashboard, so sales metrics read index pages only and stay fast as orders grow.
-- Sales over time: an event's orders in time order, carrying every column the aggregation reads (index-only scan).
CREATE INDEX orders_event_sales ON orders (event_id, created_at) INCLUDE (id, status, total, currency, refund);
-- Cancellations over time: the few cancelled orders of an event, by when they were cancelled.
CREATE INDEX orders_event_cancelled ON orders (event_id, cancelled_at) INCLUDE (id, total, currency, refund)
  WHERE cancelled_at IS NOT NULL;
-- Tickets per order for one event, reached through the event's tiers (order_items has no event column).
CREATE INDEX order_items_tier ON order_items (tier_id) INCLUDE (order_id, quantity);

-- Down Migration
DROP INDEX order_items_tier;
DROP INDEX orders_event_cancelled;
DROP INDEX orders_event_sales;
