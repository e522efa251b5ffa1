-- 0143 levels_received keyed by (origin, seq) alone (issue #21, docs/LEVELS.md
-- §7 "Export and import"): a WITHOUT ROWID table, one B-tree instead of the
-- rowid table and the index of its primary key. Every levels.received event
-- of an import inserts a row: with two B-trees the insert wrote two, and
-- SQLite opened a statement journal for each (a write to two B-trees under a
-- constraint that may abort), copying the pages already changed in the
-- transaction; bench/levels.sh's import of 100,000 events did that 100,000
-- times, and wrote 3.7 MB of index besides (docs/BENCHMARKS.md "Levels").
-- The same columns, key and rows; nothing reads the rowid. PostgreSQL's twin
-- changes nothing (a heap and its primary key index, as before).
-- (the projection levels_received of 0112)
CREATE TABLE levels_received_v2(
  origin TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  payload TEXT,
  checkpoint_size INTEGER NOT NULL,
  checkpoint_root TEXT NOT NULL,
  ev_seq INTEGER NOT NULL,
  PRIMARY KEY(origin, seq)
) WITHOUT ROWID;
INSERT INTO levels_received_v2(origin, seq, type, payload, checkpoint_size, checkpoint_root,
                               ev_seq)
  SELECT origin, seq, type, payload, checkpoint_size, checkpoint_root, ev_seq
    FROM levels_received;
DROP TABLE levels_received;
ALTER TABLE levels_received_v2 RENAME TO levels_received;
