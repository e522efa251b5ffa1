-- PostgreSQL twin of src/store/migrations/0111_mirror.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0111 the mirror of a lower level's log (issue #21 item 2, docs/LEVELS.md
-- "Mirror"). `plumb mirror` (and `plumb serve --mirror`) copies each
-- county's entry headers and leaf hashes from its C2SP tlog-tiles, after
-- checking every tile against a checkpoint signed by the county's log key
-- AND cosigned by a trusted witness. Not projections: the copy is verified
-- data fetched from outside, not written by this store's events, so
-- `plumb rebuild` leaves it alone; a refusal (fork, rollback, a tile that
-- does not hash) is a ledger event, levels.mirror_refused, projected into
-- mirror_refusals (migration 0112).
-- One row per mirrored log: the witnessed checkpoint it is verified to,
-- and the log key it was checked with. `plumb verify` re-checks both
-- tables (pl_levels_mirror_verify): signature, entries, root.
CREATE TABLE mirror_logs(
  origin TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  root_hash BYTEA NOT NULL,
  checkpoint TEXT NOT NULL,
  log_key TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- One row per mirrored entry: leaf hash and header (the tile entry bytes).
CREATE TABLE mirror_entries(
  origin TEXT NOT NULL,
  seq BIGINT NOT NULL,
  leaf_hash BYTEA NOT NULL,
  header TEXT NOT NULL,
  PRIMARY KEY(origin, seq)
);
