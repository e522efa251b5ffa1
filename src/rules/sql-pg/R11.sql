-- R11 reference query (plain SQL, PostgreSQL dialect; the SQLite one is src/rules/sql/R11.sql): docs/RULES.md "retaliation risk".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is date + make_interval(months => N), which clamps the
-- day to the end of the month (Feb 29 + 1 year = Feb 28) like the engine.
WITH base AS (
  SELECT c.id AS clue, c.subject_person_id AS l, c.received_at AS r, cr.id AS rep,
         cr.person_id AS p, tp.id AS tp, tp.end_date AS tend, pp.unit_id AS unit
  FROM clues c
  JOIN clue_reporters cr ON cr.clue_id = c.id
  JOIN tenures tp ON tp.person_id = cr.person_id
  JOIN posts pp ON pp.id = tp.post_id
  WHERE c.real_name = 1 AND c.subject_person_id IS NOT NULL
    AND tp.start_date <= c.received_at
    AND (tp.end_date IS NULL OR tp.end_date > c.received_at)
    AND EXISTS (SELECT 1 FROM tenures tl JOIN posts pl ON pl.id = tl.post_id
                WHERE tl.person_id = c.subject_person_id AND pl.is_top = 1
                  AND pl.unit_id = pp.unit_id AND tl.start_date <= c.received_at
                  AND (tl.end_date IS NULL OR tl.end_date > c.received_at))
), win AS (
  SELECT b.*, LEAST(to_char(CAST(b.r AS date) + make_interval(months => CAST((u.r11_window_months) AS integer)), 'YYYY-MM-DD'), x.as_of) AS wend,
         u.r11_drop_points AS drop_pts
  FROM base b JOIN rp_unit u ON u.unit_id = b.unit CROSS JOIN rp_ctx x
), basel AS (
  SELECT DISTINCT w.p, w.r, MAX(e.year) AS yb
  FROM win w
  JOIN evaluations e ON e.person_id = w.p AND e.kind = 'annual' AND e.score IS NOT NULL
   AND e.year < CAST(substr(w.r, 1, 4) AS INTEGER)
  GROUP BY w.p, w.r
), bscore AS (
  SELECT b.p, b.r, b.yb, MAX(e.score) AS bs
  FROM basel b
  JOIN evaluations e ON e.person_id = b.p AND e.kind = 'annual' AND e.score IS NOT NULL
   AND e.year = b.yb
  GROUP BY b.p, b.r, b.yb
), drops AS (
  SELECT w.clue, w.l, w.p, w.rep, e.id AS ev, bs.yb, bs.bs
  FROM win w
  JOIN bscore bs ON bs.p = w.p AND bs.r = w.r
  JOIN evaluations e ON e.person_id = w.p AND e.kind = 'annual' AND e.score IS NOT NULL
   AND e.year >= CAST(substr(w.r, 1, 4) AS INTEGER)
   AND e.year <= CAST(substr(w.wend, 1, 4) AS INTEGER)
   AND bs.bs - e.score >= w.drop_pts
)
SELECT clue || '|' || p AS key, l AS subject, 'high' AS severity,
       'clues:' || clue || ',clue_reporters:' || rep || ',tenures:' || tp AS evidence
FROM win
WHERE tend IS NOT NULL AND tend > r AND tend <= wend
UNION ALL
SELECT d.clue || '|' || d.p, d.l, 'high',
       'clues:' || d.clue || ',clue_reporters:' || d.rep || ',evaluations:' || d.ev ||
       COALESCE(',' || (SELECT string_agg('evaluations:' || e2.id, ',') FROM evaluations e2
                        WHERE e2.person_id = d.p AND e2.kind = 'annual' AND e2.year = d.yb
                          AND e2.score = d.bs), '')
FROM drops d;
