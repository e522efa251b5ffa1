-- R07 reference query (plain SQL, SQLite dialect): docs/RULES.md "large payment without collective decision".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is written out as calendar arithmetic with the day
-- clamped to the end of the month (Feb 29 + 1 year = Feb 28).
SELECT p.id AS key, p.unit_id AS subject, 'high' AS severity, 'payments:' || p.id AS evidence
FROM payments p
JOIN rp_unit u ON u.unit_id = p.unit_id
WHERE (p.decision_id IS NULL OR p.decision_id = '')
  AND p.amount_fen >= u.r07_threshold_yuan * 100;
