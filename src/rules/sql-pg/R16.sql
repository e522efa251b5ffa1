-- R16 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R16.sql): docs/RULES.md "declaration late or missing".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH RECURSIVE yrs(y) AS (
  SELECT CAST(substr(as_of, 1, 4) AS INTEGER) - 1 FROM rp_ctx
  UNION ALL
  SELECT y - 1 FROM yrs WHERE y > (SELECT CAST(substr(as_of, 1, 4) AS INTEGER) - 30 FROM rp_ctx)
), people AS (
  SELECT DISTINCT t.person_id AS p FROM tenures t JOIN posts po ON po.id = t.post_id
  WHERE po.is_top = 1
), due AS (
  SELECT pe.p, yrs.y, to_char(CAST(yrs.y || '-12-31' AS date) + CAST(pp.r16_due_days AS integer), 'YYYY-MM-DD') AS due
  FROM people pe
  JOIN rp_person pp ON pp.person_id = pe.p
  CROSS JOIN yrs CROSS JOIN rp_ctx x
  WHERE yrs.y >= CAST(substr(x.as_of, 1, 4) AS INTEGER) - pp.r16_years_back
    AND to_char(CAST(yrs.y || '-12-31' AS date) + CAST(pp.r16_due_days AS integer), 'YYYY-MM-DD') <= x.as_of
), top AS (
  SELECT d.p, d.y, d.due, t.id AS tid
  FROM due d
  JOIN tenures t ON t.person_id = d.p
  JOIN posts po ON po.id = t.post_id
  WHERE po.is_top = 1 AND t.start_date <= d.due AND (t.end_date IS NULL OR t.end_date > d.due)
), st AS (
  SELECT tp.p, tp.y, MAX(CAST(dc.filed_at <= tp.due AS integer)) AS ontime, COUNT(dc.id) AS nd
  FROM (SELECT DISTINCT p, y, due FROM top) tp
  LEFT JOIN declarations dc ON dc.person_id = tp.p AND dc.year = tp.y
  GROUP BY tp.p, tp.y
)
SELECT top.p || '|' || top.y AS key, top.p AS subject,
       CASE WHEN st.nd > 0 THEN 'medium' ELSE 'high' END AS severity,
       'tenures:' || top.tid AS evidence
FROM top JOIN st ON st.p = top.p AND st.y = top.y
WHERE COALESCE(st.ontime, 0) = 0
UNION ALL
SELECT dc.person_id || '|' || dc.year, dc.person_id, 'medium', 'declarations:' || dc.id
FROM st JOIN declarations dc ON dc.person_id = st.p AND dc.year = st.y
WHERE COALESCE(st.ontime, 0) = 0 AND st.nd > 0;
