-- PostgreSQL twin of src/store/migrations/0091_inspect_handover.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0091 inspect handover: a problem found by an inspection handed to the
-- discipline office as a clue (移交问题线索, DESIGN.md §7b, docs/INSPECT.md).
-- The clue is a workflow clue (src/cases) whose source_ref is the problem
-- id; this row links the problem to the clue, so each leads to the other.
-- Projection of "inspect.problem_handed_over"; at most one per problem.
-- projection: inspect_handovers
CREATE TABLE inspect_handovers(
  problem_id TEXT PRIMARY KEY,
  clue_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX inspect_handovers_clue ON inspect_handovers(clue_id);
