-- PostgreSQL twin of src/store/migrations/0066_persons_placed.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0066 persons placed: the persons a whole-store scope reads, as a copy of
-- their rows clustered by id (docs/SECURITY.md "Placing a record", docs/API.md
-- "How a scoped list is planned").
--
-- A person is in a scope if person_units places them at a unit of the scope
-- (migration 0063). When a user's scope closure is every unit of the store
-- and nothing else, that is: placed at some unit that exists. persons_placed
-- holds the persons rows of exactly those persons, column for column, so the
-- persons list of such a user walks this table in its order and reads each
-- row once, with no probe of person_units and of the scope set per row (3
-- b-tree seeks a row before, about two thirds of that list's SQL time).
--
-- Not a projection: no event writes it. It is derived from persons,
-- person_units and units and kept exact by the triggers below, statement by
-- statement, whoever writes those tables; `plumb verify` compares it with
-- the replay's. The rule is written once, as the view persons_placed_source.
-- Its columns are persons' columns, in the same order ("SELECT p.*"): a
-- migration that adds a column to persons (at the end, as ALTER TABLE ADD
-- COLUMN does) must add it here at the end too, or every write of persons
-- fails ("table persons_placed has N columns but N+1 values were
-- supplied"), loudly; tests/unit/store_test.c compares the two tables'
-- column lists.
-- derived: persons_placed
CREATE TABLE persons_placed(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  gender TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  native_place TEXT,
  ev_seq BIGINT NOT NULL
);
-- The list's other declared sort (migration 0064; not named sort_*: only
-- imported tables have their sort indexes rebuilt by an import).
CREATE INDEX persons_placed_name ON persons_placed(name);

-- (persons' columns named: persons has the row key row_no here, which
-- persons_placed has not.)
CREATE VIEW persons_placed_source AS
  SELECT p.id, p.name, p.gender, p.birth_date, p.native_place, p.ev_seq FROM persons p
   WHERE EXISTS (SELECT 1 FROM person_units pu JOIN units u ON u.id=pu.unit_id
                  WHERE pu.person_id=p.id);

INSERT INTO persons_placed SELECT * FROM persons_placed_source;

-- persons: the row copied anew (its columns, or its id, changed).
CREATE FUNCTION persons_placed_person_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM persons_placed WHERE id=NEW.id;
  INSERT INTO persons_placed SELECT * FROM persons_placed_source WHERE id=NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_person_ins AFTER INSERT ON persons FOR EACH ROW EXECUTE FUNCTION persons_placed_person_ins_fn();

CREATE FUNCTION persons_placed_person_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM persons_placed WHERE id IN (OLD.id, NEW.id);
  INSERT INTO persons_placed SELECT * FROM persons_placed_source WHERE id=NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_person_upd AFTER UPDATE ON persons FOR EACH ROW EXECUTE FUNCTION persons_placed_person_upd_fn();

CREATE FUNCTION persons_placed_person_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM persons_placed WHERE id=OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_person_del AFTER DELETE ON persons FOR EACH ROW EXECUTE FUNCTION persons_placed_person_del_fn();

-- person_units: a pair added may place its person, a pair gone may not
-- leave them placed. (ON CONFLICT DO NOTHING, not OR IGNORE: see 0063.)
-- Only 0063's triggers write person_units, by INSERT and DELETE; any other
-- write of it is reported by `plumb verify`, as is this table then.
CREATE FUNCTION persons_placed_pair_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO persons_placed SELECT * FROM persons_placed_source WHERE id=NEW.person_id
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_pair_ins AFTER INSERT ON person_units FOR EACH ROW EXECUTE FUNCTION persons_placed_pair_ins_fn();

CREATE FUNCTION persons_placed_pair_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM persons_placed WHERE id=OLD.person_id
    AND NOT EXISTS (SELECT 1 FROM persons_placed_source src WHERE src.id=OLD.person_id);
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_pair_del AFTER DELETE ON person_units FOR EACH ROW EXECUTE FUNCTION persons_placed_pair_del_fn();

-- units: the persons with a pair at the unit. They are found through the
-- pairs' derivation (person_units_source, by the posts_unit index), which
-- is what person_units holds; person_units has no index by unit.
CREATE FUNCTION persons_placed_unit_ins_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO persons_placed SELECT * FROM persons_placed_source
    WHERE id IN (SELECT person_id FROM person_units_source WHERE unit_id=NEW.id)
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_unit_ins AFTER INSERT ON units FOR EACH ROW EXECUTE FUNCTION persons_placed_unit_ins_fn();

CREATE FUNCTION persons_placed_unit_del_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM persons_placed
   WHERE id IN (SELECT person_id FROM person_units_source WHERE unit_id=OLD.id)
     AND NOT EXISTS (SELECT 1 FROM persons_placed_source src WHERE src.id=persons_placed.id);
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_unit_del AFTER DELETE ON units FOR EACH ROW EXECUTE FUNCTION persons_placed_unit_del_fn();

CREATE FUNCTION persons_placed_unit_upd_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM persons_placed
   WHERE id IN (SELECT person_id FROM person_units_source WHERE unit_id=OLD.id)
     AND NOT EXISTS (SELECT 1 FROM persons_placed_source src WHERE src.id=persons_placed.id);
  INSERT INTO persons_placed SELECT * FROM persons_placed_source
    WHERE id IN (SELECT person_id FROM person_units_source WHERE unit_id=NEW.id)
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_unit_upd AFTER UPDATE OF id ON units FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION persons_placed_unit_upd_fn();
