-- PostgreSQL twin of src/store/migrations/0064_sort_indexes.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0064 sort indexes: the columns a list of the HTTP API may be sorted on
-- besides its key (src/http/routes.c "sortable", docs/API.md), one index
-- each, so that a sorted page walks the index in its order and stops at the
-- page's end instead of reading and sorting every row in scope. Ties on the
-- column are put in key order by sorting only the tied rows. Not projections.
-- Named sort_*: they serve list reads only, so an import into an empty
-- table drops them and builds them after its rows (src/ingest/import.c).
CREATE INDEX IF NOT EXISTS sort_units_name ON units(name);
CREATE INDEX IF NOT EXISTS sort_persons_name ON persons(name);
CREATE INDEX IF NOT EXISTS sort_posts_title ON posts(title);
CREATE INDEX IF NOT EXISTS sort_companies_name ON companies(name);
CREATE INDEX IF NOT EXISTS sort_payments_paid_at ON payments(paid_at);
CREATE INDEX IF NOT EXISTS sort_payments_amount ON payments(amount_fen);
CREATE INDEX IF NOT EXISTS sort_contracts_signed_at ON contracts(signed_at);
CREATE INDEX IF NOT EXISTS sort_meetings_held_at ON meetings(held_at);
CREATE INDEX IF NOT EXISTS sort_decisions_decided_at ON decisions(decided_at);
CREATE INDEX IF NOT EXISTS sort_clues_received_at ON clues(received_at);
CREATE INDEX IF NOT EXISTS sort_findings_first_seen ON findings(first_seen);
