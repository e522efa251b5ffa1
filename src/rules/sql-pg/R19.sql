-- R19 reference query (plain SQL, PostgreSQL dialect; the SQLite one is
-- src/rules/sql/R19.sql): docs/RULES.md "no annual duty report or
-- heart-to-heart". For each complete year Y of the last r19_years_back
-- before the as-of date in which a person held a top post of unit U at
-- Y-12-31, appointed at least r19_grace_days before that day, U having a
-- unit above (Up) in the store: a duty report (述责述廉, kind duty_report)
-- of the person before Up (unit_id = Up) held in Y, and a heart-to-heart
-- (kind heart_talk) with the person held in Y by someone (held_by) who was
-- a top leader of Up on that date. One row per (tenure, Y) missing either:
-- medium, or high when both are missing.
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit
-- the profile parameters resolved per unit.
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
WITH RECURSIVE yrs(y) AS (
  SELECT CAST(substr(as_of, 1, 4) AS INTEGER) - 1 FROM rp_ctx
  UNION ALL
  SELECT y - 1 FROM yrs WHERE y > (SELECT CAST(substr(as_of, 1, 4) AS INTEGER) - 10 FROM rp_ctx)
), owed AS (
  SELECT t.id AS tenure_id, t.person_id, un.parent_id AS up, yrs.y,
         CAST(yrs.y AS TEXT) AS ytext
  FROM tenures t
  JOIN posts p ON p.id = t.post_id AND p.is_top = 1
  JOIN units un ON un.id = p.unit_id
  JOIN units upu ON upu.id = un.parent_id
  JOIN rp_unit ru ON ru.unit_id = p.unit_id
  CROSS JOIN rp_ctx x
  JOIN yrs ON yrs.y >= CAST(substr(x.as_of, 1, 4) AS INTEGER) - ru.r19_years_back
  WHERE t.start_date <= CAST(yrs.y AS TEXT) || '-12-31'
    AND (t.end_date IS NULL OR t.end_date > CAST(yrs.y AS TEXT) || '-12-31')
    AND t.start_date <= to_char(CAST(CAST(yrs.y AS TEXT) || '-12-31' AS date) - CAST(ru.r19_grace_days AS integer), 'YYYY-MM-DD')
), judged AS (
  SELECT o.*,
         EXISTS (SELECT 1 FROM supervision_activities s
                 WHERE s.person_id = o.person_id AND s.kind = 'duty_report'
                   AND s.unit_id = o.up AND substr(s.held_at, 1, 4) = o.ytext) AS duty,
         EXISTS (SELECT 1 FROM supervision_activities s
                 JOIN tenures qt ON qt.person_id = s.held_by
                 JOIN posts qp ON qp.id = qt.post_id AND qp.is_top = 1 AND qp.unit_id = o.up
                 WHERE s.person_id = o.person_id AND s.kind = 'heart_talk'
                   AND substr(s.held_at, 1, 4) = o.ytext
                   AND qt.start_date <= s.held_at
                   AND (qt.end_date IS NULL OR qt.end_date > s.held_at)) AS heart
  FROM owed o
)
SELECT tenure_id || '|' || ytext AS key, person_id AS subject,
       CASE WHEN NOT duty AND NOT heart THEN 'high' ELSE 'medium' END AS severity,
       'tenures:' || tenure_id AS evidence
FROM judged
WHERE NOT (duty AND heart);
