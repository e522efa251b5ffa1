-- R14 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R14.sql): docs/RULES.md "evaluation drop".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
SELECT e.id AS key, e.person_id AS subject, 'medium' AS severity,
       'evaluations:' || e.id ||
       COALESCE(',' || (SELECT string_agg('evaluations:' || p.id, ',') FROM evaluations p
                        WHERE p.person_id = e.person_id AND p.kind = 'annual'
                          AND p.year = e.year - 1 AND p.score IS NOT NULL
                          AND e.score IS NOT NULL
                          AND p.score - e.score >= pp.r14_drop_points), '') AS evidence
FROM evaluations e
JOIN rp_person pp ON pp.person_id = e.person_id
WHERE e.kind = 'annual'
  AND ((e.score IS NOT NULL
        AND EXISTS (SELECT 1 FROM evaluations p
                    WHERE p.person_id = e.person_id AND p.kind = 'annual'
                      AND p.year = e.year - 1 AND p.score IS NOT NULL
                      AND p.score - e.score >= pp.r14_drop_points))
       OR (e.votes_excellent + e.votes_competent + e.votes_basic + e.votes_incompetent > 0
           AND e.votes_incompetent * 100 >= pp.r14_incompetent_pct *
               (e.votes_excellent + e.votes_competent + e.votes_basic + e.votes_incompetent)));
