-- PostgreSQL twin of src/store/migrations/0076_login_failures.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0076 failed sign-ins of user names that have no account
-- (docs/SECURITY.md "Accounts and sign-in"). A known account's failures and
-- lockout are in user_secrets; a name without an account is counted and
-- locked here the same way, so a lockout (423) does not tell which names
-- exist. Keyed by a keyed hash of the name ("h:" + BLAKE2b-128, the server's
-- log handle key), never the name itself, which may be a mistyped password.
-- Operational state like user_secrets: not a projection, not in the ledger.
CREATE TABLE login_failures(
  name_key TEXT PRIMARY KEY,
  failed BIGINT NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0
);
