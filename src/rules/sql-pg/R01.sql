-- R01 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R01.sql): docs/RULES.md "rotation due".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH t AS (
  SELECT t.id, t.person_id, t.start_date, p.is_top, x.as_of AS d,
         CASE WHEN p.is_top = 1 THEN u.r01_top_years ELSE u.r01_sensitive_years END AS years,
         u.r01_warn_months AS warn
  FROM tenures t
  JOIN posts p ON p.id = t.post_id
  JOIN rp_unit u ON u.unit_id = p.unit_id
  CROSS JOIN rp_ctx x
  WHERE t.start_date <= x.as_of AND (t.end_date IS NULL OR t.end_date > x.as_of)
    AND (p.is_top = 1 OR p.category IN ('finance', 'personnel', 'approval', 'enforcement',
                                        'audit', 'procurement', 'engineering'))
), due AS (
  SELECT t.*, to_char(CAST(t.start_date AS date) + make_interval(months => CAST((t.years * 12) AS integer)), 'YYYY-MM-DD') AS due_at,
         to_char(CAST(t.start_date AS date) + make_interval(months => CAST((t.years * 12 - t.warn) AS integer)), 'YYYY-MM-DD') AS warn_at
  FROM t
)
SELECT id AS key, person_id AS subject,
       CASE WHEN due_at <= d THEN (CASE WHEN is_top = 1 THEN 'high' ELSE 'medium' END)
            ELSE 'low' END AS severity,
       'tenures:' || id AS evidence
FROM due
WHERE warn_at <= d;
