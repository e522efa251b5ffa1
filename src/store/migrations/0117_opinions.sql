-- 0117 declare: integrity opinions (廉政意见回复) for a slate of appointment
-- candidates (DESIGN.md §6 "Integrity file", docs/DECLARE.md "Integrity
-- opinion", issue #18 item 4). Every table is a projection of the
-- "opinion.*" events (src/declare/opinion.c), rebuilt by replay and compared
-- by verify; ev_seq is the sequence of the last event that wrote the row.
-- Portable SQL.

-- A slate: a named list of appointment candidates (one appointment
-- decision or meeting), opened by the office in a unit of its scope.
-- projection: opinion_slates
CREATE TABLE opinion_slates(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);

-- One candidate's opinion on a slate: the system's proposal with its
-- reasons (JSON array, fixed when the slate was opened), the office's
-- opinion (= the proposal until amended, amend_reason required when it
-- differs), status draft | issued, version = the number of issues.
-- projection: opinions
CREATE TABLE opinions(
  id TEXT PRIMARY KEY,
  slate_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  unit_id TEXT,
  post_id TEXT,
  proposal TEXT NOT NULL,
  reasons TEXT NOT NULL,
  opinion TEXT NOT NULL,
  amend_reason TEXT,
  amended_by TEXT,
  amended_at TEXT,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  issued_by TEXT,
  issued_at TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX opinions_slate ON opinions(slate_id);
CREATE INDEX opinions_person ON opinions(person_id);

-- Every issue of an opinion (the signed opinion: one opinion.issued event
-- each); a re-issue supersedes the previous one (superseded_by), which
-- stays as history. R10 reads this table (docs/RULES.md).
-- projection: opinion_issues
CREATE TABLE opinion_issues(
  id TEXT PRIMARY KEY,
  opinion_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  person_id TEXT NOT NULL,
  opinion TEXT NOT NULL,
  proposal TEXT NOT NULL,
  reason TEXT,
  issued_by TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  superseded_by TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX opinion_issues_person ON opinion_issues(person_id);
