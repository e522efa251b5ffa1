-- R10 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R10.sql): docs/RULES.md "appointment outside process".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH open_clues AS (
  SELECT d.id AS decision, c.id AS clue
  FROM decisions d
  JOIN clues c ON c.subject_person_id = d.appointee_id AND c.received_at <= d.decided_at
  WHERE d.category = 'appointment'
    AND NOT EXISTS (SELECT 1 FROM dispositions x WHERE x.clue_id = c.id
                    AND x.concluded_at IS NOT NULL AND x.concluded_at <= d.decided_at)
)
SELECT d.id AS key, d.appointee_id AS subject, 'high' AS severity,
       'decisions:' || d.id ||
       COALESCE(',' || (SELECT string_agg('clues:' || o.clue, ',') FROM open_clues o
                        WHERE o.decision = d.id), '') AS evidence
FROM decisions d
WHERE d.category = 'appointment' AND d.appointee_id IS NOT NULL AND d.appointee_id <> ''
  AND (NOT EXISTS (SELECT 1 FROM meetings m WHERE m.id = d.meeting_id)
       OR NOT (
         -- an opinion of no objection in force on decided_at: the imported
         -- integrity_opinion = 1 (dated integrity_opinion_at, else decided_at)
         -- or one issued here (opinion_issues), with no defer / not_promoted
         -- issued from its date to decided_at (docs/RULES.md R10)
         (d.integrity_opinion = 1
          AND COALESCE(NULLIF(d.integrity_opinion_at, ''), d.decided_at) <= d.decided_at
          AND NOT EXISTS (SELECT 1 FROM opinion_issues j
                          WHERE j.person_id = d.appointee_id AND j.opinion <> 'no_objection'
                            AND j.issued_at >= COALESCE(NULLIF(d.integrity_opinion_at, ''), d.decided_at)
                            AND j.issued_at <= d.decided_at))
         OR EXISTS (SELECT 1 FROM opinion_issues i
                    WHERE i.person_id = d.appointee_id AND i.opinion = 'no_objection'
                      AND i.issued_at <= d.decided_at
                      AND NOT EXISTS (SELECT 1 FROM opinion_issues j
                                      WHERE j.person_id = d.appointee_id
                                        AND j.opinion <> 'no_objection'
                                        AND j.issued_at >= i.issued_at
                                        AND j.issued_at <= d.decided_at)))
       OR EXISTS (SELECT 1 FROM open_clues o WHERE o.decision = d.id));
