-- R20 reference query (plain SQL, portable: SQLite and PostgreSQL run it as
-- it is — no date functions, CASE instead of MAX/GREATEST, one evidence
-- per row — so src/rules/sql-pg/ has no twin): docs/RULES.md "unexplained
-- wealth". For a person P with a declaration for a year of the period
-- [year(as_of) - r20_years, year(as_of) - 1]: the household's acquisitions
-- in the period (registry records of kind real_estate, vehicle or
-- company_role with an amount, observed in the period, held by P, a spouse
-- of P, or a child of P who was a minor in the record's year) against the
-- declared resources (income items of P's declarations of the period, plus
-- securities items of P's declaration of the year before the period).
-- Found when acquisitions > resources + max(resources * r20_margin_pct /
-- 100, r20_floor_yuan * 100) (integer arithmetic, in fen). Severity high.
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_person
-- the profile parameters resolved per person (their unit at as_of).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
WITH per AS (
  SELECT CAST(substr(as_of, 1, 4) AS INTEGER) - 1 AS y1 FROM rp_ctx
), dp AS (
  SELECT DISTINCT x.person_id AS p, per.y1 - pp.r20_years + 1 AS y0, per.y1 AS y1,
         pp.r20_margin_pct AS pct, pp.r20_floor_yuan AS floor_yuan
  FROM declarations x
  JOIN rp_person pp ON pp.person_id = x.person_id
  CROSS JOIN per
  WHERE x.year >= per.y1 - pp.r20_years + 1 AND x.year <= per.y1
), hh AS (
  SELECT p, p AS h, 0 AS is_child FROM dp
  UNION
  SELECT dp.p, k.relative_id, 0 FROM dp JOIN kin k ON k.person_id = dp.p AND k.relation = 'spouse'
  UNION
  SELECT dp.p, k.person_id, 0 FROM dp JOIN kin k ON k.relative_id = dp.p AND k.relation = 'spouse'
  UNION
  SELECT dp.p, k.relative_id, 1 FROM dp JOIN kin k ON k.person_id = dp.p AND k.relation = 'child'
), acq AS (
  SELECT DISTINCT dp.p, r.id, r.amount_fen
  FROM dp
  JOIN hh ON hh.p = dp.p
  JOIN registry_records r ON r.holder_id = hh.h
  LEFT JOIN persons ch ON ch.id = hh.h
  WHERE r.kind IN ('real_estate', 'vehicle', 'company_role') AND r.amount_fen IS NOT NULL
    AND r.observed_at >= CAST(dp.y0 AS TEXT) || '-01-01'
    AND r.observed_at <= CAST(dp.y1 AS TEXT) || '-12-31'
    AND (hh.is_child = 0 OR
         ch.birth_date > CAST(CAST(substr(r.observed_at, 1, 4) AS INTEGER) - 18 AS TEXT) || '-12-31')
), sums AS (
  SELECT dp.p, dp.y0, dp.y1, dp.pct, dp.floor_yuan,
         COALESCE((SELECT SUM(a.amount_fen) FROM acq a WHERE a.p = dp.p), 0) AS acquired,
         COALESCE((SELECT SUM(i.amount_fen) FROM declarations x
                   JOIN declaration_items i ON i.declaration_id = x.id
                   WHERE x.person_id = dp.p AND x.year >= dp.y0 AND x.year <= dp.y1
                     AND i.kind = 'income' AND i.amount_fen IS NOT NULL), 0)
         + COALESCE((SELECT SUM(i.amount_fen) FROM declarations x
                     JOIN declaration_items i ON i.declaration_id = x.id
                     WHERE x.person_id = dp.p AND x.year = dp.y0 - 1
                       AND i.kind = 'securities' AND i.amount_fen IS NOT NULL), 0) AS resources
  FROM dp
), found AS (
  SELECT * FROM sums
  WHERE acquired > resources + CASE WHEN resources * pct / 100 > floor_yuan * 100
                                    THEN resources * pct / 100 ELSE floor_yuan * 100 END
)
SELECT f.p AS key, f.p AS subject, 'high' AS severity, 'registry_records:' || a.id AS evidence
FROM found f JOIN acq a ON a.p = f.p
UNION ALL
SELECT f.p, f.p, 'high', 'declarations:' || x.id
FROM found f JOIN declarations x ON x.person_id = f.p AND x.year >= f.y0 - 1 AND x.year <= f.y1;
