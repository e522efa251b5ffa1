-- PostgreSQL twin of src/store/migrations/0060_ledger_nodes.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0060 ledger nodes: ledger_nodes keeps complete subtrees of level 4 and
-- above only (docs/LEDGER.md). Levels 0-3 are hashed from the leaf hashes
-- in ledger_events when a proof, a tile or the frontier needs them, so an
-- append writes ~1/8 of a node row instead of ~2. Earlier stores drop
-- their low-level rows here (they were copies of what the leaves give).
DELETE FROM ledger_nodes WHERE level < 4;
