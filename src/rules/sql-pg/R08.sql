-- R08 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R08.sql): docs/RULES.md "contract splitting".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH c AS (
  SELECT k.id, k.unit_id, k.supplier_id, k.amount_fen, k.signed_at,
         u.r08_threshold_yuan * 100 AS thr, u.r08_window_days AS win
  FROM contracts k JOIN rp_unit u ON u.unit_id = k.unit_id
  WHERE k.amount_fen < u.r08_threshold_yuan * 100
), w AS (
  SELECT a.id AS anchor, b.id AS member, a.unit_id, a.supplier_id, a.thr,
         COUNT(*) OVER (PARTITION BY a.id) AS n,
         SUM(b.amount_fen) OVER (PARTITION BY a.id) AS total
  FROM c a
  JOIN c b ON b.unit_id = a.unit_id AND b.supplier_id = a.supplier_id
   AND b.signed_at >= a.signed_at AND b.signed_at <= to_char(CAST(a.signed_at AS date) + CAST(a.win AS integer), 'YYYY-MM-DD')
)
SELECT DISTINCT unit_id || '|' || supplier_id AS key, unit_id AS subject, 'high' AS severity,
       'contracts:' || member AS evidence
FROM w
WHERE n >= 2 AND total >= thr;
