-- R12 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R12.sql): docs/RULES.md "clue overdue".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH cl AS (
  SELECT c.id, c.received_at,
         COALESCE(c.subject_person_id, c.subject_unit_id, c.id) AS subj,
         COALESCE(uu.r12_dispose_days, pp.r12_dispose_days, dd.r12_dispose_days) AS dispose,
         COALESCE(uu.r12_conclude_days, pp.r12_conclude_days, dd.r12_conclude_days) AS conclude
  FROM clues c
  LEFT JOIN rp_unit uu ON uu.unit_id = c.subject_unit_id
  LEFT JOIN rp_person pp ON pp.person_id = c.subject_person_id
  JOIN rp_unit dd ON dd.unit_id = ''
)
SELECT cl.id AS key, cl.subj AS subject, 'medium' AS severity, 'clues:' || cl.id AS evidence
FROM cl CROSS JOIN rp_ctx x
WHERE NOT EXISTS (SELECT 1 FROM dispositions d WHERE d.clue_id = cl.id)
  AND to_char(CAST(cl.received_at AS date) + CAST(cl.dispose AS integer), 'YYYY-MM-DD') < x.as_of
UNION ALL
SELECT cl.id, cl.subj, 'medium', 'clues:' || cl.id || ',dispositions:' || d.id
FROM cl JOIN dispositions d ON d.clue_id = cl.id CROSS JOIN rp_ctx x
WHERE d.method IN ('talk_inquiry', 'preliminary_verification') AND d.concluded_at IS NULL
  AND to_char(CAST(d.decided_at AS date) + CAST(cl.conclude AS integer), 'YYYY-MM-DD') < x.as_of;
