-- 0064 sort indexes: the columns a list of the HTTP API may be sorted on
-- besides its key (src/http/routes.c "sortable", docs/API.md), one index
-- each, so that a sorted page walks the index in its order and stops at the
-- page's end instead of reading and sorting every row in scope. Ties on the
-- column are put in key order by sorting only the tied rows. Not projections.
CREATE INDEX IF NOT EXISTS units_name ON units(name);
CREATE INDEX IF NOT EXISTS persons_name ON persons(name);
CREATE INDEX IF NOT EXISTS posts_title ON posts(title);
CREATE INDEX IF NOT EXISTS companies_name ON companies(name);
CREATE INDEX IF NOT EXISTS payments_paid_at ON payments(paid_at);
CREATE INDEX IF NOT EXISTS payments_amount ON payments(amount_fen);
CREATE INDEX IF NOT EXISTS contracts_signed_at ON contracts(signed_at);
CREATE INDEX IF NOT EXISTS meetings_held_at ON meetings(held_at);
CREATE INDEX IF NOT EXISTS decisions_decided_at ON decisions(decided_at);
CREATE INDEX IF NOT EXISTS clues_received_at ON clues(received_at);
CREATE INDEX IF NOT EXISTS findings_first_seen ON findings(first_seen);
