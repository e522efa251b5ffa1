-- R21 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R21.sql): docs/RULES.md
-- "rectification overdue". A rectification task (inspect_tasks: a problem
-- of an inspection round or a 民主生活会 criticism item) whose deadline plus
-- r21_grace_days (of its owner unit) is before the as-of date and that is
-- not signed off at that date (never signed off, or signed off after it).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit
-- the profile parameters resolved per unit ('' = the defaults).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
SELECT t.id AS key, t.owner_unit_id AS subject, 'medium' AS severity,
       'inspect_tasks:' || t.id AS evidence
FROM inspect_tasks t
JOIN rp_unit dd ON dd.unit_id = ''
LEFT JOIN rp_unit u ON u.unit_id = t.owner_unit_id
CROSS JOIN rp_ctx x
WHERE (t.status <> 'signed_off' OR t.signed_off_at IS NULL OR t.signed_off_at > x.as_of)
  AND to_char(CAST(t.deadline AS date) + CAST(COALESCE(u.r21_grace_days, dd.r21_grace_days) AS integer), 'YYYY-MM-DD') < x.as_of;
