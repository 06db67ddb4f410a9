-- Up Migration
-- Inventory per event and tier (capacity and sold, never sold above quantity), orders with a snapshot of their
-- event, one ticket per seat, and idempotency keys for purchases. Tier quantities add up to at most the
-- capacity (checked when inventory is synced), so a tier's sold counter is the only row a purchase must lock.
CREATE TABLE inventories (
  event_id      uuid PRIMARY KEY,
  organizer_id  uuid        NOT NULL,
  status        text        NOT NULL CHECK (status IN ('on_sale', 'cancelled')),
  capacity      integer     NOT NULL CHECK (capacity > 0),
  name          text        NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  timezone      text        NOT NULL,
  place         text        NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inventories_organizer ON inventories (organizer_id);

CREATE TABLE tiers (
  tier_id     uuid PRIMARY KEY,
  event_id    uuid    NOT NULL REFERENCES inventories (event_id),
  name        text    NOT NULL,
  price       bigint  NOT NULL CHECK (price >= 0),
  currency    char(3) NOT NULL,
  quantity    integer NOT NULL CHECK (quantity > 0),
  sold        integer NOT NULL DEFAULT 0 CHECK (sold >= 0 AND sold <= quantity),
  -- Closed when the event is cancelled. Kept on the tier because a purchase locks only the tier row: a purchase
  -- waiting behind a cancellation re-reads this flag and fails instead of selling into a cancelled event.
  open        boolean NOT NULL DEFAULT true,
  position    integer NOT NULL DEFAULT 0
);
CREATE INDEX tiers_event ON tiers (event_id);

CREATE TABLE orders (
  id               uuid PRIMARY KEY,
  user_id          uuid        NOT NULL,
  buyer_email      text        NOT NULL,
  buyer_first_name text        NOT NULL,
  event_id         uuid        NOT NULL REFERENCES inventories (event_id),
  status           text        NOT NULL CHECK (status IN ('pending_payment', 'confirmed', 'cancelled')),
  total            bigint      NOT NULL,
  currency         char(3)     NOT NULL,
  refund           bigint,
  cancel_reason    text,
  event_name       text        NOT NULL,
  event_starts_at  timestamptz NOT NULL,
  event_ends_at    timestamptz NOT NULL,
  event_timezone   text        NOT NULL,
  event_place      text        NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  cancelled_at     timestamptz
);
CREATE INDEX orders_user ON orders (user_id, created_at DESC, id DESC);
CREATE INDEX orders_event ON orders (event_id, created_at, id);

CREATE TABLE order_items (
  order_id   uuid    NOT NULL REFERENCES orders (id),
  tier_id    uuid    NOT NULL REFERENCES tiers (tier_id),
  tier_name  text    NOT NULL,
  quantity   integer NOT NULL CHECK (quantity > 0),
  unit_price bigint  NOT NULL,
  PRIMARY KEY (order_id, tier_id)
);

CREATE TABLE tickets (
  id         uuid PRIMARY KEY,
  order_id   uuid        NOT NULL REFERENCES orders (id),
  tier_id    uuid        NOT NULL REFERENCES tiers (tier_id),
  code       text        NOT NULL UNIQUE,
  status     text        NOT NULL CHECK (status IN ('valid', 'void')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_order ON tickets (order_id);

CREATE TABLE idempotency_keys (
  user_id         uuid        NOT NULL,
  key             text        NOT NULL,
  request_hash    text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('in_progress', 'done')),
  response_status integer,
  response_body   jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE tickets;
DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE tiers;
DROP TABLE inventories;
