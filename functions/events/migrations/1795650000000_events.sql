-- Up Migration
-- The catalogue: one row per event, its ticket tiers as a JSON list (always read and written with the event), and a
-- search vector kept by PostgreSQL itself: name weighs most, then tags, then description. Inventory and sales live
-- with the tickets service; this database only knows what an organizer described.

-- array_to_string is only STABLE (it goes through each element type's output function); for text[] it is immutable,
-- which a generated column needs.
CREATE FUNCTION events_tags_text(tags text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN array_to_string(tags, ' ');

CREATE TABLE events (
  -- What every search reads comes first: a row is decoded column by column, so the search vector and the sort key
  -- near the front keep a full-text scan from walking every other column of every row.
  id            uuid PRIMARY KEY,
  status        text        NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
  starts_at     timestamptz NOT NULL,
  search        tsvector GENERATED ALWAYS AS (
                  setweight(to_tsvector('english', name), 'A')
                  || setweight(to_tsvector('english', events_tags_text(tags)), 'B')
                  || setweight(to_tsvector('english', description), 'C')
                ) STORED,
  type          text        NOT NULL,
  city          text,
  tags          text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 10),
  organizer_id  uuid        NOT NULL,
  name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description   text        NOT NULL DEFAULT '' CHECK (char_length(description) <= 5000),
  ends_at       timestamptz NOT NULL,
  timezone      text        NOT NULL,
  venue         text,
  address       text,
  country       text,
  online_url    text,
  capacity      integer     NOT NULL CHECK (capacity > 0),
  ticket_tiers  jsonb       NOT NULL CHECK (jsonb_typeof(ticket_tiers) = 'array' AND jsonb_array_length(ticket_tiers) BETWEEN 1 AND 20),
  images        text[]      NOT NULL DEFAULT '{}' CHECK (cardinality(images) <= 10),
  cancel_reason text,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  published_at  timestamptz,
  cancelled_at  timestamptz,
  CHECK (ends_at > starts_at),
  CHECK ((online_url IS NOT NULL AND venue IS NULL AND address IS NULL AND city IS NULL AND country IS NULL)
      OR (online_url IS NULL AND venue IS NOT NULL AND address IS NOT NULL AND city IS NOT NULL AND country IS NOT NULL)),
  CHECK (status = 'draft' OR published_at IS NOT NULL OR status = 'cancelled'),
  CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL)
);

-- The catalogue's own order (date, then id) over published events only; every list and cursor walks it.
CREATE INDEX events_catalogue ON events (starts_at, id) WHERE status = 'published';
CREATE INDEX events_search ON events USING gin (search) WHERE status = 'published';
CREATE INDEX events_tags ON events USING gin (tags) WHERE status = 'published';
CREATE INDEX events_city ON events (lower(city), starts_at) WHERE status = 'published';
-- An organizer's own list, newest first.
CREATE INDEX events_organizer ON events (organizer_id, created_at DESC, id DESC);

-- Down Migration
DROP TABLE events;
DROP FUNCTION events_tags_text(text[]);
