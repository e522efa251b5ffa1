-- R18 reference query (plain SQL, portable: SQLite and PostgreSQL run it as
-- it is, so src/rules/sql-pg/ has no twin): docs/RULES.md "五不直管".
-- An open tenure at the as-of date in a top post whose portfolio codes
-- (posts.portfolio_codes, migration 0105) hold any of the areas of the
-- post's unit's r18_areas (a mask: bit i = code i of src/model/portfolio.c,
-- written out below). Severity high from two such areas, else medium. A
-- deputy's post holding them is not looked at.
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit
-- the profile parameters resolved per unit.
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
WITH codes(code, flag) AS (
  VALUES ('personnel', 1), ('finance', 2), ('projects', 4), ('approval', 8),
         ('procurement', 16), ('party_building', 32), ('logistics', 64), ('safety', 128),
         ('petition', 256), ('business', 512), ('publicity', 1024), ('discipline', 2048)
), hits AS (
  SELECT t.id, t.person_id, p.id AS post_id, count(*) AS n
  FROM tenures t
  JOIN posts p ON p.id = t.post_id
  JOIN rp_unit u ON u.unit_id = p.unit_id
  JOIN codes c ON (',' || p.portfolio_codes || ',') LIKE ('%,' || c.code || ',%')
  CROSS JOIN rp_ctx x
  WHERE p.is_top = 1
    AND t.start_date <= x.as_of AND (t.end_date IS NULL OR t.end_date > x.as_of)
    AND (u.r18_areas & c.flag) <> 0
  GROUP BY t.id, t.person_id, p.id
)
SELECT id AS key, person_id AS subject,
       CASE WHEN n >= 2 THEN 'high' ELSE 'medium' END AS severity,
       'tenures:' || id || ',posts:' || post_id AS evidence
FROM hits;
