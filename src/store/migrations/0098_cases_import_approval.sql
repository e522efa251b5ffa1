-- 0098 cases: imported clues in the workflow, and approvals (审批) (issue
-- #17 items 3 and 4, docs/CASES.md "Imported clues" and "Approvals").
--
-- case_clues (projection, 0040) gains:
--   disp_ref      the id of the disposition row the workflow keeps current
--                 for this clue: the imported disposition's own id (set by
--                 clue.imported) until the workflow disposes it again; NULL
--                 = the workflow's "<clue>-D<n>";
--   pending_step  dispose | conclude: a step proposed and waiting for the
--                 approval of the handling office's head (clue.proposed);
--   pending       the proposed step's parameters (canonical JSON);
--   proposed_by   the proposer's actor name (never the approver).
ALTER TABLE case_clues ADD COLUMN disp_ref TEXT;
ALTER TABLE case_clues ADD COLUMN pending_step TEXT;
ALTER TABLE case_clues ADD COLUMN pending TEXT;
ALTER TABLE case_clues ADD COLUMN proposed_by TEXT;
ALTER TABLE case_clues ADD COLUMN proposed_by_person TEXT;

-- Who approves the disposition and the conclusion of a clue about a top
-- leader for a discipline office: a role (e.g. leader) or a named person.
-- Projection of "office.approver_set".
-- projection: case_approvers
CREATE TABLE case_approvers(
  office_id TEXT PRIMARY KEY,
  role TEXT,
  person_id TEXT,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
