-- 0134 access_log_all without the ORDER BY of 0067 (PostgreSQL).
-- PostgreSQL keeps a view's ORDER BY: /api/v1/access-log's newest-first
-- page (ORDER BY seq DESC LIMIT n over the view) sorted the whole union
-- after merging it in ascending order, on every page. Without it the
-- planner merges the two primary keys in the order the query asks, either
-- way, and stops at the page's end (a Merge Append of backward index
-- scans; tests/api/cases_scope.test.mjs on PostgreSQL). The list always
-- gives its own ORDER BY (src/http/routes.c list_table).
CREATE OR REPLACE VIEW access_log_all(seq, event, username, role, entity, record_ids, route, at, reason) AS
  SELECT seq, CAST('access.read' AS TEXT), username, role, entity, record_ids, route, at,
         CAST(NULL AS TEXT)
    FROM access_log
  UNION ALL
  SELECT seq,
         CAST(CASE kind WHEN 'read' THEN 'clue.read'
                        WHEN 'reporter_read' THEN 'clue.reporter_read'
                        WHEN 'key_unlocked' THEN 'office.key_unlocked'
                        WHEN 'unlock_failed' THEN 'office.unlock_failed'
                        ELSE kind END AS TEXT),
         actor,
         CAST(CASE WHEN role IN ('discipline', 'petition', 'inspection', 'cadre')
                   THEN role || '_officer' ELSE role END AS TEXT),
         CAST(CASE WHEN kind IN ('read', 'reporter_read') THEN 'clue' ELSE 'office' END AS TEXT),
         CAST('["' || CASE WHEN kind IN ('read', 'reporter_read') THEN clue_id ELSE office_id END
              || '"]' AS TEXT),
         CAST('' AS TEXT), at, reason
    FROM case_access_log;
