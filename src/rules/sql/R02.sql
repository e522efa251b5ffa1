-- R02 reference query (plain SQL, SQLite dialect): docs/RULES.md "job avoidance".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is written out as calendar arithmetic with the day
-- clamped to the end of the month (Feb 29 + 1 year = Feb 28).
WITH leaders AS (
  SELECT t.id AS tl, t.person_id AS l, p.id AS post, p.unit_id AS unit
  FROM tenures t JOIN posts p ON p.id = t.post_id CROSS JOIN rp_ctx x
  WHERE p.is_top = 1 AND t.start_date <= x.as_of AND (t.end_date IS NULL OR t.end_date > x.as_of)
), kinrel AS (
  SELECT id AS k, person_id AS a, relative_id AS b FROM kin
  UNION ALL
  SELECT id, relative_id, person_id FROM kin
)
SELECT tk.id AS key, ld.l AS subject, 'high' AS severity,
       'kin:' || kr.k || ',tenures:' || ld.tl || ',tenures:' || tk.id AS evidence
FROM leaders ld
JOIN kinrel kr ON kr.a = ld.l
JOIN tenures tk ON tk.person_id = kr.b
JOIN posts pk ON pk.id = tk.post_id
CROSS JOIN rp_ctx x
WHERE kr.b <> ld.l
  AND tk.start_date <= x.as_of AND (tk.end_date IS NULL OR tk.end_date > x.as_of)
  AND (pk.unit_id = ld.unit OR pk.reports_to = ld.post);
