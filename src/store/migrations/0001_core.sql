-- 0001 core: store identity and the ledger (DESIGN.md §4).
-- The ledger tables are never projections: they are the source of truth.
CREATE TABLE plumb_meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per event (leaf). header is the canonical JSON of the event header,
-- which carries the SHA-256 of the payload; the leaf hash is
-- SHA-256(0x00 || header) per RFC 9162.
CREATE TABLE ledger_events(
  seq INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  header TEXT NOT NULL,
  leaf_hash BLOB NOT NULL
);

-- Payloads live beside the leaves and can be purged (the leaf stays).
CREATE TABLE ledger_payloads(
  seq INTEGER PRIMARY KEY REFERENCES ledger_events(seq),
  payload TEXT NOT NULL
);

-- Hashes of complete subtrees: level L, index i covers leaves
-- [i*2^L, (i+1)*2^L). Level 0 holds the leaf hashes. Kept so that proofs
-- and tiles need O(log n) reads, never a rebuild.
CREATE TABLE ledger_nodes(
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY(level, idx)
) WITHOUT ROWID;

-- Signed checkpoints (C2SP signed-note text, all signatures).
CREATE TABLE ledger_checkpoints(
  id INTEGER PRIMARY KEY,
  size INTEGER NOT NULL,
  root_hash BLOB NOT NULL,
  note TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX ledger_checkpoints_size ON ledger_checkpoints(size);
INSERT INTO plumb_meta(key,value) VALUES('magic','plumbline');
