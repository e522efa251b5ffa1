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
  -- the household: self, spouses (either direction), children; ko = 1 for
  -- a child who is not a minor at the year's end (counts for kin_abroad only)
  SELECT x.id AS decl, x.person_id AS p, x.year AS y, x.person_id AS h, 0 AS ko FROM declarations x
  UNION
  SELECT x.id, x.person_id, x.year, k.relative_id, 0 FROM declarations x
  JOIN kin k ON k.person_id = x.person_id AND k.relation = 'spouse'
  UNION
  SELECT x.id, x.person_id, x.year, k.person_id, 0 FROM declarations x
  JOIN kin k ON k.relative_id = x.person_id AND k.relation = 'spouse'
  UNION
  SELECT x.id, x.person_id, x.year, k.relative_id,
         CASE WHEN ch.birth_date > (x.year - 18) || '-12-31' THEN 0 ELSE 1 END
  FROM declarations x
  JOIN kin k ON k.person_id = x.person_id AND k.relation = 'child'
  JOIN persons ch ON ch.id = k.relative_id
), hm AS (
  SELECT decl, p, y, h, MIN(ko) AS ko FROM hh GROUP BY decl, p, y, h
), missing AS (
  SELECT hm.decl, hm.p, r.id AS rec, r.kind
  FROM hm
  JOIN registry_records r ON r.holder_id = hm.h
  JOIN rp_person pp ON pp.person_id = hm.p
  WHERE ((  -- held at the year's end: registered by then, not ended by then
            (r.kind = 'kin_abroad'
             OR (hm.ko = 0 AND r.kind IN ('real_estate', 'company_role', 'vehicle',
                                          'securities', 'passport')))
            AND r.observed_at <= hm.y || '-12-31'
            AND (r.ended_at IS NULL OR r.ended_at = '' OR r.ended_at > hm.y || '-12-31')
            -- a company role whose company_roles rows all ended by then
            AND NOT (r.kind = 'company_role'
                     AND EXISTS (SELECT 1 FROM company_roles cr
                                 WHERE cr.person_id = r.holder_id AND cr.company_id = r.ref)
                     AND NOT EXISTS (
                       SELECT 1 FROM company_roles cr
                       WHERE cr.person_id = r.holder_id AND cr.company_id = r.ref
                         AND (cr.end_date IS NULL OR cr.end_date = ''
                              OR cr.end_date > hm.y || '-12-31'))))
         OR (hm.ko = 0 AND r.kind = 'exit_abroad'
             AND substr(r.observed_at, 1, 4) = CAST(hm.y AS TEXT)))
    AND NOT EXISTS (
      SELECT 1 FROM declaration_items i
      WHERE i.declaration_id = hm.decl AND i.kind = r.kind AND i.ref = r.ref
        AND (r.kind <> 'securities'
             OR (COALESCE(r.amount_fen, 0) - COALESCE(i.amount_fen, 0)) * 100
                <= pp.r09_securities_tolerance_pct * COALESCE(r.amount_fen, 0)))
)
SELECT decl AS key, p AS subject,
       CASE WHEN COUNT(DISTINCT rec) >= 2 OR SUM(CASE WHEN kind = 'real_estate' THEN 1 ELSE 0 END) > 0 THEN 'high'
            ELSE 'medium' END AS severity,
       'declarations:' || decl || ',' || string_agg(DISTINCT 'registry_records:' || rec, ',')
         AS evidence
FROM missing
GROUP BY decl, p;
