-- PostgreSQL twin of src/store/migrations/0067_access_log_all.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0067 access log for auditors: one list of every logged read (issue #15).
-- access_log holds the API's access.read events (reads of clues,
-- declarations, reporter records); case_access_log the clue workflow's own
-- (clue.read, clue.reporter_read, office.key_unlocked and
-- office.unlock_failed), each keyed by its ledger seq. /api/v1/access-log
-- reads this view, so an auditor sees the unsealing of a reporter's
-- identity and the failed passphrases next to the reads, under the API's
-- role names (the workflow's "discipline" is "discipline_officer"). It is a view
-- over those two tables (which replay and verify cover), no table itself.
-- Its ORDER BY lets SQLite answer a page as a merge of the two tables in
-- seq order (each by rowid, or by the username/actor index under a filter)
-- that stops at the page's end, instead of sorting both whole; it does so
-- only if each column has the same affinity in both arms, hence the CASTs.
CREATE VIEW access_log_all(seq, event, username, role, entity, record_ids, route, at, reason) AS
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
    FROM case_access_log
  ORDER BY seq;

-- The office passphrase lockout counts one user's failures for one office
-- since their last unlock (src/cases/crypto.c).
CREATE INDEX case_access_log_actor ON case_access_log(actor, office_id, kind, seq);
