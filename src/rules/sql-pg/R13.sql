-- R13 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R13.sql): docs/RULES.md "repeated reports / closed too easily".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH w AS (
  SELECT c.subject_person_id AS p, c.id AS clue,
         CASE WHEN EXISTS (SELECT 1 FROM dispositions d WHERE d.clue_id = c.id
                           AND d.method = 'close' AND d.verified_at IS NULL)
              THEN 1 ELSE 0 END AS closed,
         pp.r13_count AS n, pp.r13_closed_count AS nc
  FROM clues c
  JOIN rp_person pp ON pp.person_id = c.subject_person_id
  CROSS JOIN rp_ctx x
  WHERE c.received_at > to_char(CAST(x.as_of AS date) + make_interval(months => CAST((-pp.r13_window_months) AS integer)), 'YYYY-MM-DD')
    AND c.received_at <= x.as_of
), agg AS (
  SELECT p, COUNT(*) AS total, SUM(closed) AS nclosed, MAX(n) AS n, MAX(nc) AS nc
  FROM w GROUP BY p
)
SELECT w.p AS key, w.p AS subject, 'medium' AS severity, 'clues:' || w.clue AS evidence
FROM w JOIN agg a ON a.p = w.p
WHERE a.total >= a.n OR (a.nclosed >= a.nc AND w.closed = 1);
