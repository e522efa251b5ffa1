-- PostgreSQL twin of src/store/migrations/0102_declare_rounds.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0102 declare: declaration check rounds (申报抽查), the provably fair draw,
-- the officer's conclusions (DESIGN.md §6 "Declarations", docs/DECLARE.md,
-- issue #18 items 1-2). Every table is a projection of the "declare.*"
-- events (src/declare/round.c), rebuilt by replay and compared by verify;
-- ev_seq is the sequence of the last event that wrote the row. Portable SQL.

-- One round: year, population (the unit subtree; all declarants or top
-- leaders), the profile parameters fixed when it was opened (JSON), the
-- event that fixed the eligible list (eligible_seq), and once drawn the
-- checkpoint whose root is the seed.
-- projection: declaration_rounds
CREATE TABLE declaration_rounds(
  id TEXT PRIMARY KEY,
  year BIGINT NOT NULL,
  unit_id TEXT NOT NULL,
  population TEXT NOT NULL,
  params TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  eligible_seq BIGINT NOT NULL,
  eligible_count BIGINT NOT NULL,
  drawn_at TEXT,
  drawn_by TEXT,
  checkpoint_size BIGINT,
  seed TEXT,
  ev_seq BIGINT NOT NULL
);

-- The eligible declarations of a round, fixed before the seed exists;
-- candidate = a promotion candidate named by the round, open_clue = the
-- person was the subject of an open clue when the round was opened.
-- projection: declaration_round_eligible
CREATE TABLE declaration_round_eligible(
  round_id TEXT NOT NULL,
  declaration_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  candidate BIGINT NOT NULL,
  open_clue BIGINT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(round_id, declaration_id)
);

-- The sample: basis random (随机抽查, draw_rank = rank by
-- SHA-256(seed || id)) or focus (重点抽查: candidate / open_clue).
-- projection: declaration_round_sample
CREATE TABLE declaration_round_sample(
  round_id TEXT NOT NULL,
  declaration_id TEXT NOT NULL,
  basis TEXT NOT NULL,
  draw_rank BIGINT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(round_id, declaration_id)
);
CREATE INDEX declaration_round_sample_decl ON declaration_round_sample(declaration_id);

-- The officer's conclusion on a drawn declaration: truthful (如实) |
-- omission (漏报) | concealment (瞒报), with the reason.
-- projection: declaration_conclusions
CREATE TABLE declaration_conclusions(
  round_id TEXT NOT NULL,
  declaration_id TEXT NOT NULL,
  conclusion TEXT NOT NULL,
  reason TEXT NOT NULL,
  concluded_by TEXT NOT NULL,
  concluded_at TEXT NOT NULL,
  score BIGINT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(round_id, declaration_id)
);
