-- 0077 four eyes on an administrator's own account (docs/SECURITY.md
-- "Accounts and sign-in"). A change of one's own role, scopes or person link
-- through the API is not applied: it is a pending grant, a "user.grant"
-- ledger event, applied only when another administrator approves it (a
-- second "user.grant" event, then the usual "user.changed" ones). Every
-- grant is a red flag on the accounts dashboard (GET /api/v1/users/grants).
-- `changes` is the requested body as canonical JSON.
-- projection: user_grants
CREATE TABLE user_grants(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  changes TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', -- pending, approved, refused
  decided_by TEXT,
  decided_at TEXT,
  ev_seq INTEGER
);
