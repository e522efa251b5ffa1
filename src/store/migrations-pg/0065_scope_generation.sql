-- PostgreSQL twin of src/store/migrations/0065_scope_generation.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0065 scope generation: a counter that moves in the same transaction as
-- every change to the unit tree (units: id, parent_id) or to a user's scope
-- roots (user_scopes). The read path caches each user's scope closure per
-- connection (src/http/access.c); it used to refill it after every commit
-- of anything (PRAGMA data_version), so under any write load (access.read
-- events, session touches, records) each read paid a refill that grows with
-- the number of units. Now a refill happens only when this counter moved.
-- Not a projection: operational state, like the ledger's own tables.
CREATE TABLE scope_generation(
  id BIGINT PRIMARY KEY CHECK (id = 1),
  n BIGINT NOT NULL
);
INSERT INTO scope_generation(id, n) VALUES (1, 0);
CREATE FUNCTION units_scope_gen_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE scope_generation SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER units_scope_gen_ins AFTER INSERT ON units FOR EACH ROW EXECUTE FUNCTION units_scope_gen_ins_fn();
CREATE FUNCTION units_scope_gen_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE scope_generation SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER units_scope_gen_upd AFTER UPDATE OF id, parent_id ON units FOR EACH ROW EXECUTE FUNCTION units_scope_gen_upd_fn();
CREATE FUNCTION units_scope_gen_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE scope_generation SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER units_scope_gen_del AFTER DELETE ON units FOR EACH ROW EXECUTE FUNCTION units_scope_gen_del_fn();
CREATE FUNCTION user_scopes_scope_gen_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE scope_generation SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER user_scopes_scope_gen_ins AFTER INSERT ON user_scopes FOR EACH ROW EXECUTE FUNCTION user_scopes_scope_gen_ins_fn();
CREATE FUNCTION user_scopes_scope_gen_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE scope_generation SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER user_scopes_scope_gen_upd AFTER UPDATE ON user_scopes FOR EACH ROW EXECUTE FUNCTION user_scopes_scope_gen_upd_fn();
CREATE FUNCTION user_scopes_scope_gen_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE scope_generation SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER user_scopes_scope_gen_del AFTER DELETE ON user_scopes FOR EACH ROW EXECUTE FUNCTION user_scopes_scope_gen_del_fn();
