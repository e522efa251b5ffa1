-- PostgreSQL twin of src/store/migrations/0110_match_keys.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0110 match keys: the match key of a person's or company's name beside the
-- name as given (docs/IMPORT.md "Repairs"); projection of the "match_key"
-- of "person.recorded" and "company.recorded" payloads.

-- projection: match_keys
CREATE TABLE match_keys(
  entity TEXT NOT NULL,
  id TEXT NOT NULL,
  match_key TEXT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(entity, id)
);
CREATE INDEX match_keys_key ON match_keys(entity, match_key);
