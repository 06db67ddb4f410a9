-- Up Migration
-- One profile per user, keyed by the user id the auth service assigned. Emails are stored lower-cased; the names'
-- rules (trimmed, no control characters) are enforced by the API, their bounds here as a last line of defence.
CREATE TABLE profiles (
  user_id      uuid        PRIMARY KEY,
  email        text        NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 320),
  first_name   text        NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 100),
  last_name    text        NOT NULL CHECK (char_length(last_name) BETWEEN 1 AND 100),
  picture_key  text        CHECK (picture_key LIKE 'users/' || user_id::text || '/pictures/%'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE profiles;
