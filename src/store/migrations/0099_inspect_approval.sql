-- 0099 inspect: approval (审批) of the sign-off (销号) of a rectification
-- task of a top leader's unit (issue #17 item 4, docs/INSPECT.md
-- "Approvals").
--
-- inspect_tasks (projection, 0090) gains:
--   pending_signoff     the reason of a sign-off proposed and waiting for the
--                       approval of the inspection office's head
--                       (inspect.signoff_proposed); NULL = none waiting;
--   proposed_by         the proposer's actor name (never the approver);
--   proposed_by_person  the proposer's person, when the account has one.
ALTER TABLE inspect_tasks ADD COLUMN pending_signoff TEXT;
ALTER TABLE inspect_tasks ADD COLUMN proposed_by TEXT;
ALTER TABLE inspect_tasks ADD COLUMN proposed_by_person TEXT;

-- Who approves the sign-off of a top leader's unit's task for the
-- inspection office of unit office_id (its whole subtree; the nearest
-- configured ancestor of the task's owner unit decides): a role (an
-- account role name, e.g. leader) or a named person, exactly one.
-- Projection of "inspect.approver_set".
-- projection: inspect_approvers
CREATE TABLE inspect_approvers(
  office_id TEXT PRIMARY KEY,
  role TEXT,
  person_id TEXT,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
