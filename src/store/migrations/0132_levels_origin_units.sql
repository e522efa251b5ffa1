-- 0132 where a supervised origin sits in this store's unit tree (issue #21,
-- docs/LEVELS.md §10, docs/SECURITY.md "The view from above"): the view
-- from above shows an origin only to a user whose scope holds that unit
-- (event levels.origin_placed {origin, unit_id}, `plumb levels place`).
-- An origin placed nowhere is shown to no user of the API (deny by
-- default); the CLI, not scoped, shows every origin.
-- projection: levels_origin_units
CREATE TABLE levels_origin_units(
  origin TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX levels_origin_units_unit ON levels_origin_units(unit_id);
