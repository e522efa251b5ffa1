-- PostgreSQL twin of src/store/migrations/0095_tasks.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect"). Written ahead of the merge of
-- wt-tasks, whose SQLite file it mirrors.
-- 0095 tasks that end, and the 研判 meeting (issue #17 item 2, DESIGN.md
-- §6/§7b, docs/RULES.md "Tasks and 研判"). The warning's task (rule_tasks,
-- opened by "task.opened") is assigned to a user, accepted, carried out and
-- closed, or re-assigned; an overdue task raises its warning's colour one
-- step; the periodic 研判 meeting records a decision per warning. Every
-- column and table below is written only by the "task.*", "warning.*" and
-- "judgement.recorded" events of src/inspect/tasks_apply.c, so replay
-- (`plumb rebuild`, `plumb verify`) reproduces them. Portable SQL.

-- The task's assignee (a user account, with the person it is linked to),
-- its dates, its close reason and evidence (JSON array of {"entity","id"}
-- links or {"name","sha256"} attachments), and the day its lateness raised
-- the warning (overdue_at; cleared when a re-assignment sets a new due
-- date). status: open → assigned → accepted → in_progress → closed.
ALTER TABLE rule_tasks ADD COLUMN assignee TEXT;
ALTER TABLE rule_tasks ADD COLUMN assignee_person_id TEXT;
ALTER TABLE rule_tasks ADD COLUMN assigned_at TEXT;
ALTER TABLE rule_tasks ADD COLUMN accepted_at TEXT;
ALTER TABLE rule_tasks ADD COLUMN progress_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rule_tasks ADD COLUMN closed_at TEXT;
ALTER TABLE rule_tasks ADD COLUMN close_reason TEXT;
ALTER TABLE rule_tasks ADD COLUMN close_evidence TEXT;
ALTER TABLE rule_tasks ADD COLUMN overdue_at TEXT;
CREATE INDEX rule_tasks_warning ON rule_tasks(warning_id);
CREATE INDEX rule_tasks_assignee ON rule_tasks(assignee);

-- The warning's colour as people and the clock changed it: NULL = the grade
-- the sweep raised it with (grade stays the engine's, which it compares
-- with the leader's next index). status: open | closed (by 研判).
ALTER TABLE risk_warnings ADD COLUMN colour TEXT;
ALTER TABLE risk_warnings ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
ALTER TABLE risk_warnings ADD COLUMN closed_at TEXT;

-- Every step of a warning's task, in order. type: assigned | accepted |
-- progress | closed | reassigned | overdue.
-- projection: task_history
CREATE TABLE task_history(
  seq BIGINT PRIMARY KEY,
  task_id TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  status TEXT NOT NULL,
  assignee TEXT,
  text TEXT,
  evidence TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX task_history_task ON task_history(task_id);

-- Every change of a warning's colour or status after it was raised.
-- type: overdue (the clock) | keep | lower | raise | open_clue | close (研判).
-- cause: the task (overdue) or the 研判 meeting's id.
-- projection: warning_history
CREATE TABLE warning_history(
  seq BIGINT PRIMARY KEY,
  warning_id TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  colour_before TEXT NOT NULL,
  colour_after TEXT NOT NULL,
  status TEXT NOT NULL,
  cause TEXT NOT NULL,
  reason TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX warning_history_warning ON warning_history(warning_id);

-- The periodic 研判 meeting: its date, who recorded it, its notes.
-- projection: judgements
CREATE TABLE judgements(
  id TEXT PRIMARY KEY,
  held_on TEXT NOT NULL,
  notes TEXT,
  created_by TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);

-- Who attended: kind user (an account name) | person (a person id).
-- projection: judgement_attendees
CREATE TABLE judgement_attendees(
  judgement_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(judgement_id, kind, ref)
);

-- One decision per warning reviewed: keep | lower | raise | open_clue |
-- close, with its reason, the colour before and after, and the clue a
-- decision open_clue opened in the workflow.
-- projection: judgement_decisions
CREATE TABLE judgement_decisions(
  judgement_id TEXT NOT NULL,
  warning_id TEXT NOT NULL,
  decision TEXT NOT NULL,
  reason TEXT,
  colour_before TEXT NOT NULL,
  colour_after TEXT NOT NULL,
  clue_id TEXT,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(judgement_id, warning_id)
);
CREATE INDEX judgement_decisions_warning ON judgement_decisions(warning_id);
