-- PostgreSQL twin of src/store/migrations/0092_inspect_criticisms.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0092 inspect criticisms: criticism items raised at a democratic life
-- meeting (民主生活会 批评与自我批评, DESIGN.md §7b, docs/INSPECT.md) about a
-- member of a unit's leadership team. They take rectification tasks like
-- the problems an inspection finds (inspect_tasks.problem_id holds either
-- an IP-<n> or an LM-<n> id). Projection of "inspect.criticism_raised".
-- projection: inspect_criticisms
CREATE TABLE inspect_criticisms(
  id TEXT PRIMARY KEY,
  activity_id TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  description TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX inspect_criticisms_unit ON inspect_criticisms(unit_id);
