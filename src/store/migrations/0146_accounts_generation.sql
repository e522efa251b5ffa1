-- 0146 accounts generation: a counter that moves in the same transaction as
-- every change to what the HTTP server's per-worker session cache holds
-- (src/accounts/session.c): a session begun or ended (sessions INSERT,
-- DELETE, an UPDATE of anything but last_seen), an account changed (users:
-- role, person, disabled, a new or removed account) or its scope roots
-- (user_scopes). The cache used to drop every entry after any commit
-- (the read version), so under write load (every clue, every access.read
-- event) each request read its session row again; now only when this
-- counter moved. The last_seen touch (every 15 s of a working session) does
-- not move it: the cache uses a row only while its last_seen is under 15 s
-- old, so idle expiry is judged on the stored value.
-- Not a projection: operational state, like scope_generation (0065).
CREATE TABLE accounts_generation(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO accounts_generation(id, n) VALUES (1, 0);
CREATE TRIGGER sessions_accounts_gen_ins AFTER INSERT ON sessions
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sessions_accounts_gen_upd AFTER UPDATE OF token_hash, user_id, csrf, created_at ON sessions
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER sessions_accounts_gen_del AFTER DELETE ON sessions
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER users_accounts_gen_ins AFTER INSERT ON users
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER users_accounts_gen_upd AFTER UPDATE ON users
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER users_accounts_gen_del AFTER DELETE ON users
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER user_scopes_accounts_gen_ins AFTER INSERT ON user_scopes
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER user_scopes_accounts_gen_upd AFTER UPDATE ON user_scopes
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER user_scopes_accounts_gen_del AFTER DELETE ON user_scopes
  BEGIN UPDATE accounts_generation SET n = n + 1 WHERE id = 1; END;
