-- PostgreSQL twin of src/store/migrations/0002_ledger.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0002 ledger: the projection of "ledger.purged" events (DESIGN.md §4).
-- One row per purged payload; rebuilt by replay like every projection.
-- projection: ledger_purges
CREATE TABLE ledger_purges(
  seq BIGINT PRIMARY KEY,     -- the event whose payload was purged
  reason TEXT NOT NULL,
  actor TEXT NOT NULL,
  purged_at TEXT NOT NULL,
  ev_seq BIGINT NOT NULL      -- the ledger.purged event that wrote the row
);
