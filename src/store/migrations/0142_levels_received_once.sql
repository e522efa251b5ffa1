-- 0142 the origin's bytes kept once (issue #21, docs/LEVELS.md §7
-- "Export and import"): levels_received no longer copies the origin's header,
-- which its levels.received ledger event (ev_seq) already holds (the fork
-- check reads it from there), nor the payload of an event the view from
-- above does not read. The view's payloads stay: its rebuild in seq order
-- (an origin marked #dirty) runs inside the projection, where the ledger's
-- own tables cannot be read (a replay's store has none), so it reads them
-- here. The types are pl_levels_view_handles' (src/levels/view.c). A purge
-- of the levels.received event deletes the row, as before.
-- (the projection levels_received of 0112)
ALTER TABLE levels_received DROP COLUMN header;
UPDATE levels_received SET payload = NULL
  WHERE type NOT IN ('person.recorded', 'unit.recorded', 'post.recorded', 'tenure.recorded',
                     'warning.raised', 'finding.raised', 'finding.resolved', 'clue.recorded',
                     'disposition.recorded', 'stats.clues_published')
    AND type NOT LIKE 'task.%' AND type NOT LIKE 'inspect.%';
