-- PostgreSQL twin of src/store/migrations/0030_rules.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0030 rules: profiles, findings and their history, risk warnings and the
-- tasks they open (DESIGN.md §6, docs/RULES.md). Every table is a projection
-- of the rule events ("profile.set", "finding.*", "warning.raised",
-- "task.opened"): the events carry the whole decision, so replaying the
-- ledger rebuilds these tables without running a rule.

-- Parameter sets selected by region (division code prefix), unit level,
-- unit kind and industry; '' = any. params is a JSON object name → integer.
-- projection: rule_profiles
CREATE TABLE rule_profiles(
  name TEXT PRIMARY KEY,
  label TEXT,
  region TEXT NOT NULL DEFAULT '',
  level TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT '',
  industry TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);

-- One row per finding, identified by (rule, key, subject). status: open,
-- acknowledged, resolved, dismissed. evidence: JSON array of "table:id".
-- params: JSON object of the parameters used; profile: the profiles applied.
-- projection: findings
CREATE TABLE findings(
  id TEXT PRIMARY KEY,
  rule TEXT NOT NULL,
  key TEXT NOT NULL,
  subject TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  unit_id TEXT,
  severity TEXT NOT NULL,
  params TEXT NOT NULL,
  profile TEXT NOT NULL,
  evidence TEXT NOT NULL,
  explanation_zh TEXT NOT NULL,
  explanation_en TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  evaluated_at TEXT NOT NULL,
  status TEXT NOT NULL,
  status_reason TEXT,
  status_at TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE UNIQUE INDEX findings_identity ON findings(rule, key, subject);
CREATE INDEX findings_subject ON findings(subject, rule);
CREATE INDEX findings_unit ON findings(unit_id);
CREATE INDEX findings_status ON findings(status);

-- Which findings cite which record ("table:id"): an event on a record
-- re-evaluates the findings that cite it, so vanished evidence resolves them.
-- projection: finding_evidence
CREATE TABLE finding_evidence(
  finding_id TEXT NOT NULL,
  ref TEXT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(finding_id, ref)
);
CREATE INDEX finding_evidence_ref ON finding_evidence(ref);

-- The history of every finding: each finding.* event, in order.
-- projection: finding_events
CREATE TABLE finding_events(
  seq BIGINT PRIMARY KEY,
  finding_id TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  severity TEXT,
  reason TEXT,
  at TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events(finding_id);

-- Risk warnings per top leader: grade blue/yellow/red with the index
-- (x100) and its breakdown (JSON) at the time it was raised.
-- projection: risk_warnings
CREATE TABLE risk_warnings(
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  grade TEXT NOT NULL,
  index_x100 BIGINT NOT NULL,
  breakdown TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX risk_warnings_person ON risk_warnings(person_id);

-- Tasks opened by warnings (e.g. a reminder talk), with owner role and due date.
-- projection: rule_tasks
CREATE TABLE rule_tasks(
  id TEXT PRIMARY KEY,
  warning_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  owner_role TEXT NOT NULL,
  title_zh TEXT NOT NULL,
  title_en TEXT NOT NULL,
  due_date TEXT NOT NULL,
  status TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
