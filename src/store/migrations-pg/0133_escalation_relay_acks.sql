-- PostgreSQL twin of src/store/migrations/0133_escalation_relay_acks.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0133 what each level below has acknowledged of this log's status
-- bundles (issue #21 follow-up, docs/LEVELS.md §9 "The relay"): the relay
-- of `plumb serve --escalation-down` records here, after a checked receipt,
-- the bundle's `to` (the level below has every event before it), and reads
-- it at start, so that a restart does not resend every status from 0.
-- The receipts are not in the ledger: operational state like
-- login_failures, not a projection, not in the ledger.
CREATE TABLE escalation_relay_acks(
  origin TEXT PRIMARY KEY,
  acked BIGINT NOT NULL
);
