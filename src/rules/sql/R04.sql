-- R04 reference query (plain SQL, SQLite dialect): docs/RULES.md "kin business".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- A holder's linked records (person_links, migration 0129: status linked or
-- judged same; docs/LINKAGE.md) hold roles as the holder does, with the link
-- as evidence ("person_links:a|b"). A linked person record (person_records,
-- migration 0140: a register's row without a reliable ID, named
-- "person_records:<id>" in person_links) holds its own company role, with
-- the record as evidence ("person_records:<id>") in place of the role row.
-- "date + N months" is written out as calendar arithmetic with the day
-- clamped to the end of the month (Feb 29 + 1 year = Feb 28).
WITH tops AS (
  SELECT t.id AS tid, t.person_id AS l, p.unit_id AS unit, t.start_date AS s, t.end_date AS e
  FROM tenures t JOIN posts p ON p.id = t.post_id
  WHERE p.is_top = 1
), leaders AS (
  SELECT DISTINCT l FROM tops
), holders AS (
  SELECT l, l AS h, NULL AS k FROM leaders
  UNION
  SELECT ld.l, kn.relative_id, kn.id FROM leaders ld JOIN kin kn ON kn.person_id = ld.l
  WHERE kn.relative_id <> ld.l
  UNION
  SELECT ld.l, kn.person_id, kn.id FROM leaders ld JOIN kin kn ON kn.relative_id = ld.l
  WHERE kn.person_id <> ld.l
), linked AS (
  SELECT a AS p, b AS q, a || '|' || b AS lid FROM person_links
  WHERE status IN ('linked', 'same')
  UNION ALL
  SELECT b, a, a || '|' || b FROM person_links WHERE status IN ('linked', 'same')
), holders2 AS (
  SELECT l, h, k, NULL AS lk FROM holders
  UNION
  SELECT hd.l, ln.q, hd.k, ln.lid FROM holders hd JOIN linked ln ON ln.p = hd.h
), roles AS (
  SELECT 'company_roles' AS rtbl, id, person_id AS h, company_id, start_date, end_date
  FROM company_roles
  UNION ALL
  SELECT 'person_records', id, 'person_records:' || id, company_id, start_date, end_date
  FROM person_records WHERE company_id IS NOT NULL AND start_date IS NOT NULL
), items AS (
  SELECT 'payments' AS tbl, id, unit_id AS unit, payee_company_id AS company,
         amount_fen AS amount, paid_at AS d
  FROM payments WHERE payee_company_id IS NOT NULL
  UNION ALL
  SELECT 'contracts', id, unit_id, supplier_id, amount_fen, signed_at FROM contracts
), hits AS (
  SELECT DISTINCT h.l, cr.company_id AS company, it.tbl, it.id, it.amount, it.unit,
         cr.rtbl, cr.id AS role, h.k, h.lk
  FROM holders2 h
  JOIN roles cr ON cr.h = h.h
  JOIN items it ON it.company = cr.company_id
   AND cr.start_date <= it.d AND (cr.end_date IS NULL OR cr.end_date > it.d)
  WHERE EXISTS (SELECT 1 FROM tops t WHERE t.l = h.l AND t.unit = it.unit
                AND t.s <= it.d AND (t.e IS NULL OR t.e > it.d))
), totals AS (
  SELECT l, company, SUM(amount) AS total, MIN(unit) AS unit
  FROM (SELECT DISTINCT l, company, tbl, id, amount, unit FROM hits) AS hd
  GROUP BY l, company
)
SELECT h.l || '|' || h.company AS key, h.l AS subject,
       CASE WHEN t.total >= u.r04_high_fen THEN 'high'
            WHEN t.total >= u.r04_medium_fen THEN 'medium' ELSE 'low' END AS severity,
       h.tbl || ':' || h.id || ',' || h.rtbl || ':' || h.role || COALESCE(',kin:' || h.k, '')
         || COALESCE(',person_links:' || h.lk, '') AS evidence
FROM hits h
JOIN totals t ON t.l = h.l AND t.company = h.company
JOIN rp_unit u ON u.unit_id = t.unit;
