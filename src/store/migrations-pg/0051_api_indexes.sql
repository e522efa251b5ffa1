-- PostgreSQL twin of src/store/migrations/0051_api_indexes.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0051 api indexes: list reads of the HTTP API filter by unit and page in
-- key order (docs/API.md); these indexes serve "WHERE unit_id=? ORDER BY id
-- LIMIT n" without sorting every row of the unit. Not projections.
CREATE INDEX IF NOT EXISTS payments_unit_id ON payments(unit_id, id);
CREATE INDEX IF NOT EXISTS contracts_unit_id ON contracts(unit_id, id);
CREATE INDEX IF NOT EXISTS decisions_unit_id ON decisions(unit_id, id);
CREATE INDEX IF NOT EXISTS meetings_unit_id ON meetings(unit_id, id);
