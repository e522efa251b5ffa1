-- PostgreSQL twin of src/store/migrations/0131_levels_view.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0131 the view from above as a projection (issue #21, docs/LEVELS.md §10):
-- what GET /api/v1/levels/view shows of each origin, kept up to date as
-- bundles are imported (events levels.received, levels.bundle_imported)
-- instead of being recomputed from every received event per request.
-- One row per item of an origin's view, by kind:
--   person (item_key person id; data name), unit (unit id; data name),
--   post (a top post: post id; data title, state unit id),
--   tenure (an open tenure on a top post: person id; data post id, state
--     start date), risk (the person's latest warning: person id; n
--     index_x100, data JSON {id, grade, as_of}),
--   finding (an open finding about a person: finding id; data JSON {rule,
--     severity, explanation_zh, explanation_en}),
--   task (task id; state open/closed/overdue, data JSON {kind, due_date}),
--   clue (clue id; state its outcome, 'pending' until disposed),
--   stats (the latest stats.clues_published: item_key ''; data the stats
--     JSON, state "from to"), rect (an inspect.* event type: n its count),
--   #dirty (an event arrived below the origin's largest received seq: the
--     origin's rows are rebuilt in seq order at the end of its bundle).
-- ord: the seq of the event that first made the item (the order the view
-- lists them in); seq, checkpoint_size, checkpoint_root: the provenance of
-- the item's last event; person_id: whose item it is (tenure, risk,
-- finding, task, clue).
-- Existing stores: the origins received before this migration are marked
-- #dirty, so the view recomputes them from levels_received until the next
-- bundle or `plumb rebuild` (plumb verify reports the table until then).
-- projection: levels_view_items
CREATE TABLE levels_view_items(
  origin TEXT NOT NULL,
  kind TEXT NOT NULL,
  item_key TEXT NOT NULL,
  ord BIGINT NOT NULL,
  person_id TEXT,
  n BIGINT NOT NULL DEFAULT 0,
  state TEXT,
  data TEXT,
  seq BIGINT,
  checkpoint_size BIGINT,
  checkpoint_root TEXT,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(origin, kind, item_key)
);
INSERT INTO levels_view_items(origin, kind, item_key, ord, ev_seq)
  SELECT origin, '#dirty', '', 0, ev_seq FROM levels_origins;
