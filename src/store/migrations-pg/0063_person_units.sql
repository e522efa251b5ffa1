-- PostgreSQL twin of src/store/migrations/0063_person_units.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0063 person units: where each person is placed, for the scope check
-- (docs/SECURITY.md "Placing a record"). A person is in a unit's scope if
-- they hold or held a post of the unit (any tenure, past ones too), or are
-- the relative (kin.relative_id) of someone who does. person_units holds
-- every such (person, unit) pair and nothing else, so the check is one probe
-- instead of two correlated joins per row.
--
-- Not a projection: no event writes it, no ev_seq. It is derived from
-- tenures, posts and kin and kept exact by the triggers below, statement by
-- statement, whoever writes those tables (the registry's upsert, an import,
-- a purge, `plumb rebuild`). `plumb verify` recomputes it from the three
-- tables and reports any difference (a direct write to it would widen or
-- narrow a user's scope).
--
-- Each trigger adds the pairs a new row makes (ON CONFLICT DO NOTHING: a
-- pair may have several derivations) and, for a row gone or changed, drops
-- those of the pairs it touched that no longer have any derivation. Not
-- "INSERT OR IGNORE": a trigger's conflict clause gives way to the firing
-- statement's, and the registry writes by "INSERT ... ON CONFLICT DO
-- UPDATE", under which a duplicate pair would abort the write; an upsert
-- clause in the trigger is kept. (Nor "WHERE NOT EXISTS" on person_units:
-- a SELECT that reads the table it inserts into is materialised first, an
-- ephemeral table per firing, which cost 3× more on an import.) The derivation
-- test is the old per-row check, for one pair, written once as the view
-- person_units_source below.
-- Updates that change no placing column (an upsert rewriting the same
-- person_id/post_id, unit_id, relative_id) do nothing (WHEN clauses).
-- derived: person_units
CREATE TABLE person_units(
  person_id TEXT NOT NULL,
  unit_id TEXT NOT NULL,
  PRIMARY KEY(person_id, unit_id)
);

-- The rule itself, once: every (person, unit) pair and how it is derived.
-- The triggers test a pair against it (SQLite pushes the pair's equalities
-- into both arms: index seeks on tenures_person / kin_relative, as the
-- per-row check did).
CREATE VIEW person_units_source(person_id, unit_id) AS
  SELECT te.person_id, p.unit_id FROM tenures te JOIN posts p ON p.id=te.post_id
  UNION ALL
  SELECT k.relative_id, p.unit_id FROM kin k JOIN tenures te ON te.person_id=k.person_id
    JOIN posts p ON p.id=te.post_id;

INSERT INTO person_units(person_id, unit_id)
  SELECT person_id, unit_id FROM person_units_source ON CONFLICT DO NOTHING;

-- tenures: the holder and the holder's relatives, at the post's unit.
CREATE FUNCTION person_units_tenure_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO person_units(person_id, unit_id)
    SELECT NEW.person_id, p.unit_id FROM posts p WHERE p.id=NEW.post_id
    UNION ALL
    SELECT k.relative_id, p.unit_id FROM posts p JOIN kin k ON k.person_id=NEW.person_id
      WHERE p.id=NEW.post_id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_tenure_ins AFTER INSERT ON tenures FOR EACH ROW EXECUTE FUNCTION person_units_tenure_ins_fn();

CREATE FUNCTION person_units_tenure_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_units
   WHERE person_id IN (SELECT OLD.person_id
                       UNION SELECT relative_id FROM kin WHERE person_id=OLD.person_id)
     AND NOT EXISTS (SELECT 1 FROM person_units_source src
                      WHERE src.person_id=person_units.person_id
                        AND src.unit_id=person_units.unit_id);
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_tenure_del AFTER DELETE ON tenures FOR EACH ROW EXECUTE FUNCTION person_units_tenure_del_fn();

CREATE FUNCTION person_units_tenure_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_units
   WHERE person_id IN (SELECT OLD.person_id
                       UNION SELECT relative_id FROM kin WHERE person_id=OLD.person_id)
     AND NOT EXISTS (SELECT 1 FROM person_units_source src
                      WHERE src.person_id=person_units.person_id
                        AND src.unit_id=person_units.unit_id);
  INSERT INTO person_units(person_id, unit_id)
    SELECT NEW.person_id, p.unit_id FROM posts p WHERE p.id=NEW.post_id
    UNION ALL
    SELECT k.relative_id, p.unit_id FROM posts p JOIN kin k ON k.person_id=NEW.person_id
      WHERE p.id=NEW.post_id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_tenure_upd AFTER UPDATE OF person_id, post_id ON tenures FOR EACH ROW WHEN (OLD.person_id IS DISTINCT FROM NEW.person_id OR OLD.post_id IS DISTINCT FROM NEW.post_id) EXECUTE FUNCTION person_units_tenure_upd_fn();

-- posts: every holder of the post (past ones too) and their relatives.
CREATE FUNCTION person_units_post_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO person_units(person_id, unit_id)
    SELECT te.person_id, NEW.unit_id FROM tenures te WHERE te.post_id=NEW.id
    UNION ALL
    SELECT k.relative_id, NEW.unit_id FROM tenures te JOIN kin k ON k.person_id=te.person_id
      WHERE te.post_id=NEW.id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_post_ins AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION person_units_post_ins_fn();

CREATE FUNCTION person_units_post_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_units
   WHERE unit_id=OLD.unit_id
     AND person_id IN (SELECT te.person_id FROM tenures te WHERE te.post_id=OLD.id
                       UNION SELECT k.relative_id FROM tenures te
                         JOIN kin k ON k.person_id=te.person_id WHERE te.post_id=OLD.id)
     AND NOT EXISTS (SELECT 1 FROM person_units_source src
                      WHERE src.person_id=person_units.person_id
                        AND src.unit_id=person_units.unit_id);
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_post_del AFTER DELETE ON posts FOR EACH ROW EXECUTE FUNCTION person_units_post_del_fn();

CREATE FUNCTION person_units_post_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_units
   WHERE unit_id=OLD.unit_id
     AND person_id IN (SELECT te.person_id FROM tenures te WHERE te.post_id=OLD.id
                       UNION SELECT k.relative_id FROM tenures te
                         JOIN kin k ON k.person_id=te.person_id WHERE te.post_id=OLD.id)
     AND NOT EXISTS (SELECT 1 FROM person_units_source src
                      WHERE src.person_id=person_units.person_id
                        AND src.unit_id=person_units.unit_id);
  INSERT INTO person_units(person_id, unit_id)
    SELECT te.person_id, NEW.unit_id FROM tenures te WHERE te.post_id=NEW.id
    UNION ALL
    SELECT k.relative_id, NEW.unit_id FROM tenures te JOIN kin k ON k.person_id=te.person_id
      WHERE te.post_id=NEW.id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_post_upd AFTER UPDATE OF id, unit_id ON posts FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.unit_id IS DISTINCT FROM NEW.unit_id) EXECUTE FUNCTION person_units_post_upd_fn();

-- kin: the relative, at every unit where the person holds or held a post.
CREATE FUNCTION person_units_kin_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO person_units(person_id, unit_id)
    SELECT NEW.relative_id, p.unit_id FROM tenures te
      JOIN posts p ON p.id=te.post_id
      WHERE te.person_id=NEW.person_id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_kin_ins AFTER INSERT ON kin FOR EACH ROW EXECUTE FUNCTION person_units_kin_ins_fn();

CREATE FUNCTION person_units_kin_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_units
   WHERE person_id=OLD.relative_id
     AND NOT EXISTS (SELECT 1 FROM person_units_source src
                      WHERE src.person_id=person_units.person_id
                        AND src.unit_id=person_units.unit_id);
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_kin_del AFTER DELETE ON kin FOR EACH ROW EXECUTE FUNCTION person_units_kin_del_fn();

CREATE FUNCTION person_units_kin_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM person_units
   WHERE person_id=OLD.relative_id
     AND NOT EXISTS (SELECT 1 FROM person_units_source src
                      WHERE src.person_id=person_units.person_id
                        AND src.unit_id=person_units.unit_id);
  INSERT INTO person_units(person_id, unit_id)
    SELECT NEW.relative_id, p.unit_id FROM tenures te
      JOIN posts p ON p.id=te.post_id
      WHERE te.person_id=NEW.person_id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_kin_upd AFTER UPDATE OF person_id, relative_id ON kin FOR EACH ROW WHEN (OLD.person_id IS DISTINCT FROM NEW.person_id OR OLD.relative_id IS DISTINCT FROM NEW.relative_id) EXECUTE FUNCTION person_units_kin_upd_fn();
