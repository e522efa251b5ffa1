-- 0123 clue escalation between levels (上级抓下级, issue #21 item 4,
-- docs/LEVELS.md §9).
-- At the level below: a clue it sent up, sealed to the level above's
-- office key (event escalation.sent), and what the level above reported
-- back through its bundles (event escalation.update): the status of the
-- clue there, its method, outcome and measure, the replies given. The
-- content is not here: only the sealed box's hash.
-- projection: escalations_out
CREATE TABLE escalations_out(
  clue_id TEXT PRIMARY KEY,
  to_origin TEXT NOT NULL,
  to_office TEXT NOT NULL,
  box_key TEXT NOT NULL,
  sealed_sha256 TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  upper_clue_id TEXT,
  status TEXT NOT NULL,
  method TEXT,
  outcome TEXT,
  measure TEXT,
  replies INTEGER NOT NULL DEFAULT 0,
  upper_seq INTEGER,
  updated_at TEXT,
  ev_seq INTEGER NOT NULL
);
-- At the level above: a clue received from a level below and taken into
-- this store's workflow as clue clue_id (event escalation.accepted), with
-- its provenance (origin log, sequence there, the witnessed checkpoint),
-- and the last state reported back down (event escalation.status).
-- projection: escalations_in
CREATE TABLE escalations_in(
  origin TEXT NOT NULL,
  origin_clue_id TEXT NOT NULL,
  origin_seq INTEGER NOT NULL,
  checkpoint_size INTEGER NOT NULL,
  checkpoint_root TEXT NOT NULL,
  clue_id TEXT NOT NULL UNIQUE,
  office TEXT NOT NULL,
  reported TEXT,
  ev_seq INTEGER NOT NULL,
  PRIMARY KEY(origin, origin_clue_id)
);
