-- R06 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R06.sql): docs/RULES.md "top leader did not speak last".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH mine AS (
  SELECT decision_id AS x, person_id AS l, MAX(speech_order) AS o
  FROM speeches GROUP BY decision_id, person_id
)
SELECT mi.x AS key, mi.l AS subject, 'medium' AS severity,
       'decisions:' || mi.x || ',' ||
       (SELECT string_agg('speeches:' || s2.id, ',') FROM speeches s2 WHERE s2.decision_id = mi.x)
         AS evidence
FROM mine mi
JOIN decisions d ON d.id = mi.x
WHERE EXISTS (SELECT 1 FROM tenures t JOIN posts p ON p.id = t.post_id
              WHERE t.person_id = mi.l AND p.is_top = 1 AND p.unit_id = d.unit_id
                AND t.start_date <= d.decided_at
                AND (t.end_date IS NULL OR t.end_date > d.decided_at))
  AND EXISTS (SELECT 1 FROM speeches s3
              WHERE s3.decision_id = mi.x AND s3.person_id <> mi.l AND s3.speech_order > mi.o);
