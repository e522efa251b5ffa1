-- PostgreSQL twin of src/store/migrations/0061_ledger_payload_inline.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0061 ledger payload inline: the payload is a column of its event's row
-- (NULL once purged) instead of a row of its own in ledger_payloads, so an
-- append writes one ledger row, not two (docs/LEDGER.md). Earlier stores
-- move their payloads here. ledger_payloads stays as a read-only view for
-- readers that query it.
ALTER TABLE ledger_events ADD COLUMN payload TEXT;
UPDATE ledger_events
   SET payload = (SELECT p.payload FROM ledger_payloads p WHERE p.seq = ledger_events.seq);
DROP TABLE ledger_payloads;
CREATE VIEW ledger_payloads(seq, payload) AS
  SELECT seq, payload FROM ledger_events WHERE payload IS NOT NULL;
