-- PostgreSQL twin of src/store/migrations/0040_cases.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0040 cases: the clue workflow (DESIGN.md §7, docs/CASES.md). The tables
-- marked "projection" are derived from the clue.* and office.* events and
-- rebuilt by replay; ev_seq is the sequence of the last event that wrote the
-- row. The registry tables the rules read (clues, clue_reporters,
-- dispositions, accountability) are kept by "<entity>.recorded" events that
-- the workflow appends beside its own events (see src/cases/cases.h).
-- Unmarked tables are primary state outside the ledger, each bound to the
-- ledger by a hash carried in an event (blobs, office secret keys) or
-- operational only (rate limits): never report content.

-- Workflow state of one clue. status: registered, linked (merged into the
-- open clue group_id), routed, verifying, held, closed (予以了结), verified,
-- concluded, archived. sub_status and team are staff-only.
-- projection: case_clues
CREATE TABLE case_clues(
  id TEXT PRIMARY KEY,
  group_id TEXT NOT NULL,
  origin TEXT NOT NULL,            -- staff | portal | rule
  channel TEXT NOT NULL,
  category TEXT NOT NULL,
  received_time TEXT NOT NULL,     -- ISO 8601 UTC
  received_at TEXT NOT NULL,       -- YYYY-MM-DD (as in clues)
  subject_person_id TEXT,
  subject_unit_id TEXT,
  subject_name TEXT,               -- as the reporter wrote it (portal)
  summary TEXT NOT NULL,
  facts TEXT NOT NULL,
  real_name BIGINT NOT NULL,
  source_ref TEXT,                 -- finding id for rule_warning, round id...
  status TEXT NOT NULL,
  sub_status TEXT,
  team TEXT,
  handler_person_id TEXT,
  handling_unit_id TEXT,
  is_top BIGINT NOT NULL DEFAULT 0,
  route_reason TEXT,
  report_count BIGINT NOT NULL DEFAULT 1,
  register_due TEXT NOT NULL,
  dispose_due TEXT,
  conclude_due TEXT,
  review_due TEXT,
  clearing_due TEXT,
  method TEXT,
  method_reason TEXT,
  disposed_at TEXT,
  dispose_count BIGINT NOT NULL DEFAULT 0,
  verified_at TEXT,
  outcome TEXT,
  measure TEXT,
  basis TEXT,
  concluded_at TEXT,
  name_cleared_at TEXT,
  archived_at TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX case_clues_group ON case_clues(group_id);
CREATE INDEX case_clues_subject ON case_clues(subject_person_id, status);
CREATE INDEX case_clues_unit ON case_clues(subject_unit_id, status);
CREATE INDEX case_clues_handling ON case_clues(handling_unit_id, status);
CREATE INDEX case_clues_status ON case_clues(status);

-- Every workflow transition of a clue, in order (the ledger has the full
-- event; this is the readable timeline).
-- projection: case_history
CREATE TABLE case_history(
  seq BIGINT PRIMARY KEY,
  clue_id TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX case_history_clue ON case_history(clue_id);

-- Handler notes: never shown to the reporter.
-- projection: case_notes
CREATE TABLE case_notes(
  seq BIGINT PRIMARY KEY,
  clue_id TEXT NOT NULL,
  author TEXT NOT NULL,
  at TEXT NOT NULL,
  text TEXT NOT NULL,
  sub_status TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX case_notes_clue ON case_notes(clue_id);

-- Replies to the reporter (shown on the portal).
-- projection: case_replies
CREATE TABLE case_replies(
  seq BIGINT PRIMARY KEY,
  clue_id TEXT NOT NULL,
  at TEXT NOT NULL,
  text TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX case_replies_clue ON case_replies(clue_id);

-- Material: the report's own text additions and attachment metadata.
-- source: staff | reporter. Content of attachments is in case_blobs.
-- projection: case_attachments
CREATE TABLE case_attachments(
  id TEXT PRIMARY KEY,             -- <clue>/<seq>/<n>
  clue_id TEXT NOT NULL,
  source TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,              -- pdf jpg png txt docx
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  added_at TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX case_attachments_clue ON case_attachments(clue_id);

-- projection: case_materials
CREATE TABLE case_materials(
  seq BIGINT PRIMARY KEY,
  clue_id TEXT NOT NULL,
  at TEXT NOT NULL,
  text TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX case_materials_clue ON case_materials(clue_id);

-- Reporter identity sealed (crypto_box_seal) to each public key of the
-- handling office at intake. box is base64.
-- projection: case_sealed
CREATE TABLE case_sealed(
  clue_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  office_id TEXT NOT NULL,
  box TEXT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(clue_id, key_id)
);

-- Portal receipts: BLAKE2b of the receipt code, argon2id passphrase string.
-- projection: case_receipts
CREATE TABLE case_receipts(
  receipt_hash TEXT PRIMARY KEY,
  clue_id TEXT NOT NULL,
  pass_hash TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX case_receipts_clue ON case_receipts(clue_id);

-- Reminders sent, one per (clue, deadline, stage): never repeated.
-- projection: case_reminders
CREATE TABLE case_reminders(
  clue_id TEXT NOT NULL,
  deadline TEXT NOT NULL,          -- register | dispose | conclude | review | clearing
  stage TEXT NOT NULL,             -- due_soon | overdue
  due TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT NOT NULL,
  ev_seq BIGINT NOT NULL,
  PRIMARY KEY(clue_id, deadline, stage, due)
);

-- Logged reads of clue content and reporter identity, and key unlocks.
-- projection: case_access_log
CREATE TABLE case_access_log(
  seq BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,              -- read | reporter_read | key_unlocked
  clue_id TEXT,
  office_id TEXT,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  person_id TEXT,
  at TEXT NOT NULL,
  reason TEXT,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX case_access_log_clue ON case_access_log(clue_id);

-- Public keys (X25519, crypto_box) of the discipline offices.
-- projection: office_keys
CREATE TABLE office_keys(
  key_id TEXT PRIMARY KEY,         -- hex of the first 8 bytes of BLAKE2b(pk)
  office_id TEXT NOT NULL,
  public_key TEXT NOT NULL,        -- base64
  secret_sha256 TEXT NOT NULL,     -- binds office_key_secrets.box
  created_at TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX office_keys_office ON office_keys(office_id);

-- The office secret key, encrypted (crypto_secretbox) under a key derived
-- from the office passphrase with argon2id. Not in the ledger.
CREATE TABLE office_key_secrets(
  key_id TEXT PRIMARY KEY,
  salt BYTEA NOT NULL,
  nonce BYTEA NOT NULL,
  opslimit BIGINT NOT NULL,
  memlimit BIGINT NOT NULL,
  box BYTEA NOT NULL
);

-- Attachment content, addressed by SHA-256 (which the events carry).
CREATE TABLE case_blobs(
  sha256 TEXT PRIMARY KEY,
  data BYTEA NOT NULL
);

-- Portal rate limits: keyed hash of the client address (the key is random
-- per store and never leaves it), hourly window, count. Operational only;
-- rows older than a day are pruned. Never joined with a report.
CREATE TABLE portal_rate(
  bucket TEXT NOT NULL,
  hour BIGINT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY(bucket, hour)
);
CREATE TABLE portal_secret(
  id BIGINT PRIMARY KEY CHECK (id = 1),
  key BYTEA NOT NULL
);
