-- 0120 cases: an index for "the latest disposition of a clue" (ORDER BY
-- decided_at DESC, id DESC LIMIT 1 per clue), read for every clue by the
-- clue statistics (GET /api/v1/cases/stats and the dashboard's clue panel,
-- src/cases/stats.c) and by the queue's overdue test (CS_OVERDUE_SQL).
-- With only dispositions_clue each clue's dispositions were sorted in a
-- temporary b-tree; this index gives the newest first and covers the id.
-- Measured in docs/BENCHMARKS.md "Web pages" (prefecture, 9,999 clues).
CREATE INDEX dispositions_clue_latest ON dispositions(clue_id, decided_at, id);
