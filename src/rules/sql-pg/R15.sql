-- R15 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R15.sql): docs/RULES.md "supervision gap".
-- (b) counts an inspection supervision activity or a round covering the unit.
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
SELECT t.person_id AS key, t.person_id AS subject, 'low' AS severity,
       'tenures:' || t.id AS evidence
FROM tenures t
JOIN posts p ON p.id = t.post_id
JOIN rp_unit u ON u.unit_id = p.unit_id
CROSS JOIN rp_ctx x
WHERE p.is_top = 1
  AND t.start_date <= x.as_of AND (t.end_date IS NULL OR t.end_date > x.as_of)
  AND t.start_date <= to_char(CAST(x.as_of AS date) + make_interval(months => CAST((-u.r15_talk_months) AS integer)), 'YYYY-MM-DD')
  AND NOT EXISTS (SELECT 1 FROM supervision_activities s
                  WHERE s.person_id = t.person_id AND s.kind IN ('reminder_talk', 'heart_talk')
                    AND s.held_at > to_char(CAST(x.as_of AS date) + make_interval(months => CAST((-u.r15_talk_months) AS integer)), 'YYYY-MM-DD')
                    AND s.held_at <= x.as_of)
UNION ALL
SELECT un.id, un.id, 'low', 'units:' || un.id
FROM units un
JOIN rp_unit u ON u.unit_id = un.id
CROSS JOIN rp_ctx x
WHERE un.level IN ('county', 'township')
  AND EXISTS (SELECT 1 FROM posts p WHERE p.unit_id = un.id AND p.is_top = 1)
  AND NOT EXISTS (SELECT 1 FROM supervision_activities s
                  WHERE s.unit_id = un.id AND s.kind = 'inspection'
                    AND s.held_at > to_char(CAST(x.as_of AS date) + make_interval(months => CAST((-12 * u.r15_term_years) AS integer)), 'YYYY-MM-DD')
                    AND s.held_at <= x.as_of)
  -- or a round covering the unit (巡察全覆盖: inspect_round_units), by its start date
  AND NOT EXISTS (SELECT 1 FROM inspect_round_units ru
                  JOIN inspect_rounds r ON r.id = ru.round_id
                  WHERE ru.unit_id = un.id
                    AND r.start_date > to_char(CAST(x.as_of AS date) + make_interval(months => CAST((-12 * u.r15_term_years) AS integer)), 'YYYY-MM-DD')
                    AND r.start_date <= x.as_of);
