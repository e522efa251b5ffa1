-- PostgreSQL twin of src/store/migrations/0112_bundles.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0112 signed event bundles from the levels below (issue #21 item 3,
-- docs/LEVELS.md "Bundles"), and the mirror's refusals.
-- Each event a verified bundle carried, with its provenance: the origin
-- log, its sequence there, and the witnessed checkpoint its inclusion
-- proof was checked against (event levels.received).
-- projection: levels_received
CREATE TABLE levels_received(
  origin TEXT NOT NULL,
  seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  header TEXT NOT NULL,
  payload TEXT,
  checkpoint_size BIGINT NOT NULL,
  checkpoint_root TEXT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(origin, seq)
);
-- Per origin, how far its bundles reach (event levels.bundle_imported):
-- the next bundle must start at or before next_seq (else a gap).
-- projection: levels_origins
CREATE TABLE levels_origins(
  origin TEXT PRIMARY KEY,
  next_seq BIGINT NOT NULL,
  checkpoint_size BIGINT NOT NULL,
  checkpoint_root TEXT NOT NULL,
  bundles BIGINT NOT NULL,
  ev_seq BIGINT NOT NULL
);
-- A lower log the mirror found inconsistent with what was witnessed
-- (event levels.mirror_refused): kind fork / rollback / tile / unwitnessed,
-- the tree size, the tile level (-1 = entry bundle) and index.
-- projection: mirror_refusals
CREATE TABLE mirror_refusals(
  origin TEXT NOT NULL,
  kind TEXT NOT NULL,
  size BIGINT NOT NULL,
  tile_level BIGINT,
  tile_index BIGINT,
  message TEXT NOT NULL,
  detected_at TEXT NOT NULL,
  ev_seq BIGINT PRIMARY KEY
);
