-- 0050 auth: staff accounts, their scopes, sessions (DESIGN.md §1, §8;
-- docs/SECURITY.md), and the access log projection.
-- users, user_scopes and sessions are operational state, not projections:
-- they hold credentials, which never go into the ledger. Every change to an
-- account is also recorded as a "user.changed" ledger event (no secrets).

CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  person_id TEXT,
  pw_hash TEXT NOT NULL,
  totp_secret TEXT NOT NULL,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  pw_changed_at TEXT NOT NULL
);

-- Jurisdiction: each row names the root of a subtree of units.
CREATE TABLE user_scopes(
  user_id INTEGER NOT NULL,
  unit_id TEXT NOT NULL,
  PRIMARY KEY(user_id, unit_id)
);

-- Sessions: only the SHA-256 of the 256-bit token is stored.
CREATE TABLE sessions(
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Who read which clue, declaration or reporter identity, when: the
-- projection of the "access.read" ledger events.
-- projection: access_log
CREATE TABLE access_log(
  seq INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  role TEXT NOT NULL,
  entity TEXT NOT NULL,
  record_ids TEXT NOT NULL,
  route TEXT NOT NULL,
  at TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX access_log_user ON access_log(username);
