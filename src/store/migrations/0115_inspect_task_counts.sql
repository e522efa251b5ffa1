-- 0115 inspect: indexes for the dashboard's counts of rectification tasks
-- (GET /api/v1/rectification_tasks/stats, docs/INSPECT.md §7a; measured in
-- docs/BENCHMARKS.md "Inspection and rectification at province scale").
--
-- The counts are one GROUP BY status (with the overdue count per status:
-- deadline before today) and the count of sign-offs waiting for approval.
-- For a reader of the whole store the first walks inspect_tasks_status in
-- order (each status a run of entries, deadline in them: no table row read,
-- no sort); for a narrower scope the unit index, now carrying status and
-- deadline too, answers it without the table. pending_signoff (a reason,
-- up to 20,000 characters) is not put in an index (PostgreSQL refuses a
-- btree entry over ~2.7 kB): the few tasks waiting have an index of their
-- own (partial).
CREATE INDEX inspect_tasks_status ON inspect_tasks(status, deadline);
DROP INDEX inspect_tasks_unit;
CREATE INDEX inspect_tasks_unit ON inspect_tasks(owner_unit_id, status, deadline);
CREATE INDEX inspect_tasks_pending ON inspect_tasks(owner_unit_id) WHERE pending_signoff IS NOT NULL;
