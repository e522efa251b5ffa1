-- R17 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R17.sql): docs/RULES.md "name clearing owed".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
SELECT c.id AS key, c.subject_person_id AS subject, 'medium' AS severity,
       'clues:' || c.id || ',dispositions:' || d.id AS evidence
FROM clues c
JOIN dispositions d ON d.clue_id = c.id
JOIN rp_person pp ON pp.person_id = c.subject_person_id
CROSS JOIN rp_ctx x
WHERE d.outcome = 'unfounded' AND d.concluded_at IS NOT NULL
  AND to_char(CAST(d.concluded_at AS date) + CAST(pp.r17_clearing_days AS integer), 'YYYY-MM-DD') < x.as_of
  AND NOT EXISTS (SELECT 1 FROM accountability a
                  WHERE a.person_id = c.subject_person_id AND a.measure = 'name_clearing'
                    AND a.decided_at >= d.concluded_at
                    AND a.decided_at <= to_char(CAST(d.concluded_at AS date) + CAST(pp.r17_clearing_days AS integer), 'YYYY-MM-DD'));
