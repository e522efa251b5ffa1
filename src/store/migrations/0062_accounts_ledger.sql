-- 0062 accounts in the ledger (docs/SECURITY.md "Accounts in the ledger").
-- users and user_scopes become projections of the "user.changed" events
-- (plumb rebuild reproduces them, plumb verify compares them). What must not
-- enter the ledger moves to user_secrets, operational state beside them:
-- the argon2id password hash, the TOTP secret sealed under the key file
-- <db>.totp.key (XChaCha20-Poly1305, the user id as associated data), the
-- last TOTP step used, failed sign-ins and the lockout.
CREATE TABLE user_secrets(
  user_id INTEGER PRIMARY KEY,
  pw_hash TEXT NOT NULL,
  totp_box BLOB,   -- nonce || ciphertext || tag
  totp_clear TEXT, -- a secret from before 0062: sealed, then cleared, by the
                   -- first account command or server start (it needs the key)
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0
);
INSERT INTO user_secrets(user_id, pw_hash, totp_clear, totp_last_step, failed_logins,
                         locked_until)
  SELECT id, pw_hash, totp_secret, totp_last_step, failed_logins, locked_until FROM users;

-- Accounts existing before 0062 are copied with ev_seq NULL: run
-- `plumb rebuild` once after the upgrade to derive them from their events.
-- projection: users
CREATE TABLE users_v2(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  person_id TEXT,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  pw_changed_at TEXT NOT NULL,
  ev_seq INTEGER
);
INSERT INTO users_v2(id, username, role, person_id, disabled, created_at, pw_changed_at)
  SELECT id, username, role, person_id, disabled, created_at, pw_changed_at FROM users;
DROP TABLE users;
ALTER TABLE users_v2 RENAME TO users;

-- projection: user_scopes
CREATE TABLE user_scopes_v2(
  user_id INTEGER NOT NULL,
  unit_id TEXT NOT NULL,
  ev_seq INTEGER,
  PRIMARY KEY(user_id, unit_id)
);
INSERT INTO user_scopes_v2(user_id, unit_id) SELECT user_id, unit_id FROM user_scopes;
DROP TABLE user_scopes;
ALTER TABLE user_scopes_v2 RENAME TO user_scopes;
