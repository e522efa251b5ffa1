-- 0110 match keys (issue #19 item 2, docs/IMPORT.md "Repairs"): the match
-- key of a person's or company's name (pl_model_match_key: OpenCC's
-- traditional → simplified, separators dropped, NFKC case folded), beside
-- the name as given, for comparing names (linkage reads it). Written by the
-- "person.recorded" and "company.recorded" events whose payload carries
-- "match_key" (every one written since this migration), so replay
-- (`plumb rebuild`, `plumb verify`) reproduces it; events written before
-- carry none, and their rows have no key here (live and replayed alike).
-- entity: "person" or "company"; id: the row's id in persons / companies.

-- projection: match_keys
CREATE TABLE match_keys(
  entity TEXT NOT NULL,
  id TEXT NOT NULL,
  match_key TEXT NOT NULL,
  ev_seq INTEGER NOT NULL,
  PRIMARY KEY(entity, id)
);
CREATE INDEX match_keys_key ON match_keys(entity, match_key);
