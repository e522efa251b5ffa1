-- 0144 accountability by clue: the clue workflow's sync after an import
-- (src/cases/imported.c accountability_of) reads a clue's accountability
-- rows by clue_id, twice per imported clue; with no index on clue_id each
-- read scanned the table (prefecture: 10,000 clues × 4,520 rows, 2.8 CPU s
-- of the import's 31, issue #22). The name-clearing read
-- (clue_id = ? OR (clue_id IS NULL AND person_id = ? …)) uses this index
-- and accountability_person for its two arms.
CREATE INDEX accountability_clue ON accountability(clue_id);
