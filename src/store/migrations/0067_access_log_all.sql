-- 0067 the office passphrase lockout counts one user's failed unlocks of one
-- office since their last unlock (src/cases/crypto.c, issue #15): an index
-- so that the count is a range of it, whatever the size of the log.
CREATE INDEX case_access_log_actor ON case_access_log(actor, office_id, kind, seq);
