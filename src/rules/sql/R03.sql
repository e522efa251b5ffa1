-- R03 reference query (plain SQL, SQLite dialect): docs/RULES.md "region avoidance".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is written out as calendar arithmetic with the day
-- clamped to the end of the month (Feb 29 + 1 year = Feb 28).
SELECT t.id AS key, t.person_id AS subject, 'high' AS severity,
       'tenures:' || t.id || ',persons:' || t.person_id AS evidence
FROM tenures t
JOIN posts p ON p.id = t.post_id
JOIN units u ON u.id = p.unit_id
JOIN persons pr ON pr.id = t.person_id
CROSS JOIN rp_ctx x
WHERE p.is_top = 1
  AND t.start_date <= x.as_of AND (t.end_date IS NULL OR t.end_date > x.as_of)
  AND ((u.level IN ('county', 'township') AND u.kind IN ('party', 'government'))
       OR (u.level = 'county'
           AND u.kind IN ('discipline', 'organisation', 'court', 'procuratorate', 'police')))
  AND COALESCE(NULLIF(pr.native_place, ''), substr(pr.id, 1, 6)) = u.division_code;
