-- Up Migration
-- A tier's seats are split over slots, each with its own quantity and sold counter, so the buyers of a flash sale
-- lock different rows instead of queueing on one: a purchase takes its seats from one slot (picked at random among
-- those with enough left) in most cases, and from several only when the seats left are spread thin. tiers keeps
-- what organizers set (quantity, price, open); what a tier has sold is the sum over its slots, read through
-- tier_stock. A slot never holds more than its quantity, so a tier never sells more than the sum of its slots'
-- quantities, which inventory sync keeps equal to the tier's quantity.
CREATE TABLE tier_slots (
  tier_id  uuid     NOT NULL REFERENCES tiers (tier_id) ON DELETE CASCADE,
  slot     smallint NOT NULL CHECK (slot >= 0),
  quantity integer  NOT NULL CHECK (quantity >= 0),
  sold     integer  NOT NULL DEFAULT 0 CHECK (sold >= 0 AND sold <= quantity),
  -- A copy of the tier's flag, kept by inventory sync: a purchase locks only its slot, so a purchase waiting behind
  -- an event's cancellation re-reads the flag here and fails instead of selling into a cancelled event.
  open     boolean  NOT NULL DEFAULT true,
  PRIMARY KEY (tier_id, slot)
);

-- Existing tiers start with one slot holding everything; their next sync spreads the seats left over more.
INSERT INTO tier_slots (tier_id, slot, quantity, sold, open) SELECT tier_id, 0, quantity, sold, open FROM tiers;
ALTER TABLE tiers DROP COLUMN sold;

CREATE VIEW tier_stock AS
  SELECT t.*, coalesce((SELECT sum(s.sold) FROM tier_slots s WHERE s.tier_id = t.tier_id), 0)::int AS sold
  FROM tiers t;

-- Down Migration
DROP VIEW tier_stock;
ALTER TABLE tiers ADD COLUMN sold integer NOT NULL DEFAULT 0 CHECK (sold >= 0 AND sold <= quantity);
UPDATE tiers t SET sold = (SELECT coalesce(sum(s.sold), 0) FROM tier_slots s WHERE s.tier_id = t.tier_id);
DROP TABLE tier_slots;
