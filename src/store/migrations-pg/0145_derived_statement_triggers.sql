-- PostgreSQL twin of src/store/migrations/0145_derived_statement_triggers.sql
-- (same version; see docs/ARCHITECTURE.md "SQL dialect").
-- 0145 the INSERT triggers of the derived tables person_units (0063) and
-- persons_placed (0066), once per statement instead of once per row (issue
-- #20 item 3). An import loads tenures, kin and persons by COPY, thousands
-- of rows a statement; a row-level plpgsql trigger ran its INSERT … SELECT
-- once for every row, and each pair it added fired persons_placed's trigger
-- once more: in bench/pg.sh at county, 2.2 of the server's 5.0 s (the COPY
-- into kin alone 1.4 s). Here each trigger reads the statement's new rows
-- as a transition table (REFERENCING NEW TABLE) and derives the same pairs
-- and rows in one INSERT … SELECT: the same rule, the rows new in the
-- statement instead of NEW. AFTER row triggers ran at the statement's end
-- too, on the tables as the whole statement left them, so the rows derived
-- are the same (ON CONFLICT DO NOTHING gives way to a pair derived twice,
-- in the statement or before it; a row the statement did not insert, an
-- upsert's update or a conflict skipped, is not in the transition table and
-- fires the UPDATE trigger as before).
-- Only the INSERT triggers: PostgreSQL gives no transition table to a
-- trigger on UPDATE OF columns, and deletes and updates of these tables are
-- rare (a purge, a changed registry row); those stay per row, as in 0063
-- and 0066. The units triggers too (a few hundred rows).
-- Plans: a plpgsql statement without a variable is planned once per
-- session and the plan kept, with the row count of the transition table
-- of that first firing; a plan made for 50,000 rows (hash joins, whole
-- scans of tenures or persons) would then serve every one-row write after
-- it, and one made for a single row the next COPY (index probes: slower,
-- but no worse than the row triggers were). So each function has two
-- branches: up to 4 new rows (the row-by-row writes, pl_store_bulk's
-- BULK_ROW_BY_ROW) the queries without a variable, planned once for few
-- rows; more, the same queries naming TG_OP (a parameter) under
-- plan_cache_mode = force_custom_plan, planned at every firing for the
-- transition table's true size (a custom plan's cost, about 0.5 ms, once
-- per statement of 5+ rows). A one-row insert of kin or persons cost about
-- 80 µs here at load 8, against 55 µs with the row triggers.
-- SQLite's twin changes nothing (its triggers are per row only).

DROP TRIGGER person_units_tenure_ins ON tenures;
DROP FUNCTION person_units_tenure_ins_fn();
CREATE FUNCTION person_units_tenure_ins_fn() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE m text;
BEGIN
  IF EXISTS (SELECT 1 FROM pl_new OFFSET 4) THEN
    m := current_setting('plan_cache_mode');
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
    INSERT INTO person_units(person_id, unit_id)
      SELECT n.person_id, p.unit_id FROM pl_new n JOIN posts p ON p.id=n.post_id
       WHERE TG_OP='INSERT'
      UNION ALL
      SELECT k.relative_id, p.unit_id FROM pl_new n JOIN posts p ON p.id=n.post_id
        JOIN kin k ON k.person_id=n.person_id
       WHERE TG_OP='INSERT'
      ON CONFLICT DO NOTHING;
    PERFORM set_config('plan_cache_mode', m, true);
  ELSE
    INSERT INTO person_units(person_id, unit_id)
      SELECT n.person_id, p.unit_id FROM pl_new n JOIN posts p ON p.id=n.post_id
      UNION ALL
      SELECT k.relative_id, p.unit_id FROM pl_new n JOIN posts p ON p.id=n.post_id
        JOIN kin k ON k.person_id=n.person_id
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_tenure_ins AFTER INSERT ON tenures REFERENCING NEW TABLE AS pl_new
  FOR EACH STATEMENT EXECUTE FUNCTION person_units_tenure_ins_fn();

DROP TRIGGER person_units_post_ins ON posts;
DROP FUNCTION person_units_post_ins_fn();
CREATE FUNCTION person_units_post_ins_fn() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE m text;
BEGIN
  IF EXISTS (SELECT 1 FROM pl_new OFFSET 4) THEN
    m := current_setting('plan_cache_mode');
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
    INSERT INTO person_units(person_id, unit_id)
      SELECT te.person_id, n.unit_id FROM pl_new n JOIN tenures te ON te.post_id=n.id
       WHERE TG_OP='INSERT'
      UNION ALL
      SELECT k.relative_id, n.unit_id FROM pl_new n JOIN tenures te ON te.post_id=n.id
        JOIN kin k ON k.person_id=te.person_id
       WHERE TG_OP='INSERT'
      ON CONFLICT DO NOTHING;
    PERFORM set_config('plan_cache_mode', m, true);
  ELSE
    INSERT INTO person_units(person_id, unit_id)
      SELECT te.person_id, n.unit_id FROM pl_new n JOIN tenures te ON te.post_id=n.id
      UNION ALL
      SELECT k.relative_id, n.unit_id FROM pl_new n JOIN tenures te ON te.post_id=n.id
        JOIN kin k ON k.person_id=te.person_id
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_post_ins AFTER INSERT ON posts REFERENCING NEW TABLE AS pl_new
  FOR EACH STATEMENT EXECUTE FUNCTION person_units_post_ins_fn();

DROP TRIGGER person_units_kin_ins ON kin;
DROP FUNCTION person_units_kin_ins_fn();
CREATE FUNCTION person_units_kin_ins_fn() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE m text;
BEGIN
  IF EXISTS (SELECT 1 FROM pl_new OFFSET 4) THEN
    m := current_setting('plan_cache_mode');
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
    INSERT INTO person_units(person_id, unit_id)
      SELECT n.relative_id, p.unit_id FROM pl_new n JOIN tenures te ON te.person_id=n.person_id
        JOIN posts p ON p.id=te.post_id
       WHERE TG_OP='INSERT'
      ON CONFLICT DO NOTHING;
    PERFORM set_config('plan_cache_mode', m, true);
  ELSE
    INSERT INTO person_units(person_id, unit_id)
      SELECT n.relative_id, p.unit_id FROM pl_new n JOIN tenures te ON te.person_id=n.person_id
        JOIN posts p ON p.id=te.post_id
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER person_units_kin_ins AFTER INSERT ON kin REFERENCING NEW TABLE AS pl_new
  FOR EACH STATEMENT EXECUTE FUNCTION person_units_kin_ins_fn();

DROP TRIGGER persons_placed_person_ins ON persons;
DROP FUNCTION persons_placed_person_ins_fn();
CREATE FUNCTION persons_placed_person_ins_fn() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE m text;
BEGIN
  IF EXISTS (SELECT 1 FROM pl_new OFFSET 4) THEN
    m := current_setting('plan_cache_mode');
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
    DELETE FROM persons_placed WHERE id IN (SELECT n.id FROM pl_new n WHERE TG_OP='INSERT');
    INSERT INTO persons_placed SELECT * FROM persons_placed_source
      WHERE id IN (SELECT n.id FROM pl_new n WHERE TG_OP='INSERT');
    PERFORM set_config('plan_cache_mode', m, true);
  ELSE
    DELETE FROM persons_placed WHERE id IN (SELECT n.id FROM pl_new n);
    INSERT INTO persons_placed SELECT * FROM persons_placed_source
      WHERE id IN (SELECT n.id FROM pl_new n);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_person_ins AFTER INSERT ON persons REFERENCING NEW TABLE AS pl_new
  FOR EACH STATEMENT EXECUTE FUNCTION persons_placed_person_ins_fn();

DROP TRIGGER persons_placed_pair_ins ON person_units;
DROP FUNCTION persons_placed_pair_ins_fn();
CREATE FUNCTION persons_placed_pair_ins_fn() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE m text;
BEGIN
  IF EXISTS (SELECT 1 FROM pl_new OFFSET 4) THEN
    m := current_setting('plan_cache_mode');
    PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);
    INSERT INTO persons_placed SELECT * FROM persons_placed_source
      WHERE id IN (SELECT n.person_id FROM pl_new n WHERE TG_OP='INSERT')
      ON CONFLICT DO NOTHING;
    PERFORM set_config('plan_cache_mode', m, true);
  ELSE
    INSERT INTO persons_placed SELECT * FROM persons_placed_source
      WHERE id IN (SELECT n.person_id FROM pl_new n)
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER persons_placed_pair_ins AFTER INSERT ON person_units REFERENCING NEW TABLE AS pl_new
  FOR EACH STATEMENT EXECUTE FUNCTION persons_placed_pair_ins_fn();
