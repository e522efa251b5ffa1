-- PostgreSQL twin of src/store/migrations/0070_profile_proposals.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0070 profile proposals (issue #15, defect 2; DESIGN.md §6 last paragraph;
-- docs/RULES.md "Profiles: scope, reason, four eyes"). A profile change
-- whose dry run would resolve more findings than the threshold in force
-- (parameter profile_approval_findings), or that changes that threshold, is
-- recorded as a pending proposal ("profile.proposed") and applies only when
-- another person approves it (the "profile.set" then names the proposal);
-- "profile.rejected" closes it. Projections of those events.
-- projection: rule_profile_proposals
CREATE TABLE rule_profile_proposals(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  label TEXT,
  region TEXT NOT NULL DEFAULT '',
  level TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL DEFAULT '',
  industry TEXT NOT NULL DEFAULT '',
  params TEXT NOT NULL,
  scope TEXT,
  reason TEXT NOT NULL,
  proposed_by TEXT NOT NULL,
  impact_resolved BIGINT NOT NULL,
  impact_raised BIGINT NOT NULL,
  threshold BIGINT NOT NULL,
  status TEXT NOT NULL,
  decided_by TEXT,
  decided_reason TEXT,
  profile_seq BIGINT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX rule_profile_proposals_status ON rule_profile_proposals(status);

-- Why a profile is as it is: the reason of its last change and the
-- proposal it came from (NULL: set without approval, under the threshold).
-- scope: JSON array of the unit ids whose subtrees bound where the profile
-- applies (its writer's scope; NULL = anywhere: set by the store's operator
-- on the CLI), so that a unit created later outside the writer's scope
-- does not get it whatever its selectors say.
ALTER TABLE rule_profiles ADD COLUMN reason TEXT;
ALTER TABLE rule_profiles ADD COLUMN proposal_id TEXT;
ALTER TABLE rule_profiles ADD COLUMN scope TEXT;
