-- 0127 cases: an index for "the discipline body among a unit's children"
-- (SELECT id FROM units WHERE parent_id = ? AND kind = 'discipline' ORDER
-- BY id LIMIT 1), run for each unit up the chain when a clue is routed
-- (src/cases/workflow.c body_at, on every intake: API, batch, portal).
-- With only units_parent, a unit with many children (a county root holds
-- ~140 departments) had every child read and sorted in a temporary b-tree,
-- a quarter of a clue's routing CPU; this index seeks to the one row.
-- Measured in docs/BENCHMARKS.md "Group commit" (issue #22, wt-gcfast).
CREATE INDEX units_parent_kind ON units(parent_id, kind, id);
