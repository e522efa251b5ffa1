-- R23 reference query (plain SQL, SQLite dialect): docs/RULES.md
-- "problem recurs at 回头看". A task re-opened at re-inspection (回头看)
-- because its problem recurred in the same unit — the task's owner unit:
-- recurrence_count >= r23_recurrences (1). A problem of the same category
-- found in another unit is not a recurrence. Severity high from the second
-- recurrence, else medium.
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit
-- the profile parameters resolved per unit ('' = the defaults).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
SELECT t.id AS key, t.owner_unit_id AS subject,
       CASE WHEN t.recurrence_count >= 2 THEN 'high' ELSE 'medium' END AS severity,
       'inspect_tasks:' || t.id AS evidence
FROM inspect_tasks t
JOIN rp_unit dd ON dd.unit_id = ''
LEFT JOIN rp_unit u ON u.unit_id = t.owner_unit_id
WHERE t.recurrence_count >= COALESCE(u.r23_recurrences, dd.r23_recurrences);
