-- R09 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R09.sql): docs/RULES.md "declaration omission".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH hh AS (
  SELECT x.id AS decl, x.person_id AS p, x.year AS y, x.person_id AS h FROM declarations x
  UNION
  SELECT x.id, x.person_id, x.year, k.relative_id FROM declarations x
  JOIN kin k ON k.person_id = x.person_id AND k.relation = 'spouse'
  UNION
  SELECT x.id, x.person_id, x.year, k.person_id FROM declarations x
  JOIN kin k ON k.relative_id = x.person_id AND k.relation = 'spouse'
  UNION
  SELECT x.id, x.person_id, x.year, k.relative_id FROM declarations x
  JOIN kin k ON k.person_id = x.person_id AND k.relation = 'child'
  JOIN persons ch ON ch.id = k.relative_id
  WHERE ch.birth_date > (x.year - 18) || '-12-31'
), missing AS (
  SELECT hh.decl, hh.p, r.id AS rec, r.kind
  FROM hh
  JOIN registry_records r ON r.holder_id = hh.h
  JOIN rp_person pp ON pp.person_id = hh.p
  WHERE ((r.kind IN ('real_estate', 'company_role', 'vehicle', 'securities')
          AND r.observed_at <= hh.y || '-12-31')
         OR (r.kind = 'exit_abroad' AND substr(r.observed_at, 1, 4) = CAST(hh.y AS TEXT)))
    AND NOT EXISTS (
      SELECT 1 FROM declaration_items i
      WHERE i.declaration_id = hh.decl AND i.kind = r.kind AND i.ref = r.ref
        AND (r.kind <> 'securities'
             OR ABS(COALESCE(i.amount_fen, 0) - COALESCE(r.amount_fen, 0)) * 100
                <= pp.r09_securities_tolerance_pct * COALESCE(r.amount_fen, 0)))
)
SELECT decl AS key, p AS subject,
       CASE WHEN COUNT(DISTINCT rec) >= 2 OR SUM(CASE WHEN kind = 'real_estate' THEN 1 ELSE 0 END) > 0 THEN 'high'
            ELSE 'medium' END AS severity,
       'declarations:' || decl || ',' || string_agg(DISTINCT 'registry_records:' || rec, ',')
         AS evidence
FROM missing
GROUP BY decl, p;
