-- PostgreSQL twin of src/store/migrations/0090_inspect.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0090 inspect: inspection rounds and rectification (巡察与整改, DESIGN.md
-- §7b, docs/INSPECT.md). Every table is a projection of the "inspect.*"
-- events (src/inspect/apply.c), rebuilt by replay and compared by verify;
-- ev_seq is the sequence of the last event that wrote the row. Portable SQL:
-- no rowid, no INSERT OR ..., ? placeholders in the code.

-- One inspection round (巡察轮次). level: county | prefecture.
-- projection: inspect_rounds
CREATE TABLE inspect_rounds(
  id TEXT PRIMARY KEY,
  round_no TEXT NOT NULL,
  level TEXT NOT NULL,
  team TEXT NOT NULL,
  leader_person_id TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  created_by TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);

-- The units a round covers (巡察全覆盖 reads these).
-- projection: inspect_round_units
CREATE TABLE inspect_round_units(
  round_id TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(round_id, unit_id)
);
CREATE INDEX inspect_round_units_unit ON inspect_round_units(unit_id);

-- A problem found (问题清单). category: political | power | money |
-- personnel | conduct | leadership | top_leader. evidence: JSON array of
-- {"entity","id"} links to registry records and findings. team_notes are
-- the inspection team's internal notes: never shown to the subject unit.
-- projection: inspect_problems
CREATE TABLE inspect_problems(
  id TEXT PRIMARY KEY,
  round_id TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  person_id TEXT,
  category TEXT NOT NULL,
  description TEXT NOT NULL,
  found_at TEXT NOT NULL,
  evidence TEXT NOT NULL,
  team_notes TEXT,
  created_by TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX inspect_problems_round ON inspect_problems(round_id);
CREATE INDEX inspect_problems_unit ON inspect_problems(unit_id);

-- A rectification task (整改任务). status: open | in_progress | sent_back |
-- signed_off | reopened. evidence_open counts the evidence items reported
-- since the task was opened, sent back or re-opened: a sign-off needs > 0.
-- recurrence_count counts the re-openings at 回头看.
-- projection: inspect_tasks
CREATE TABLE inspect_tasks(
  id TEXT PRIMARY KEY,
  problem_id TEXT NOT NULL,
  owner_unit_id TEXT NOT NULL,
  responsible_person_id TEXT NOT NULL,
  measures TEXT NOT NULL,
  deadline TEXT NOT NULL,
  status TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  progress_count BIGINT NOT NULL DEFAULT 0,
  evidence_count BIGINT NOT NULL DEFAULT 0,
  evidence_open BIGINT NOT NULL DEFAULT 0,
  sendback_count BIGINT NOT NULL DEFAULT 0,
  recurrence_count BIGINT NOT NULL DEFAULT 0,
  signed_off_at TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX inspect_tasks_problem ON inspect_tasks(problem_id);
CREATE INDEX inspect_tasks_unit ON inspect_tasks(owner_unit_id, status);

-- Every step of a task, in order: opened, progress (text, evidence),
-- signed_off, sent_back (reason), reopened (reason). The timeline.
-- projection: inspect_task_history
CREATE TABLE inspect_task_history(
  seq BIGINT PRIMARY KEY,
  task_id TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  status TEXT NOT NULL,
  text TEXT,
  evidence TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX inspect_task_history_task ON inspect_task_history(task_id);
