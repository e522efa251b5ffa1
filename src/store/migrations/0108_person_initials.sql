-- 0108 person initials: the pinyin initials of each person's name, for the
-- global search (docs/API.md "Search": "wjf" finds 吴俊峰).
--
-- A projection: the applier of person.recorded (src/model/registry.c) writes
-- the row in the same statement sequence as the persons row, from the name
-- in the event (src/util/pinyin.c: ICU's Han-Latin transliterator, the
-- first letter of each syllable; ASCII letters and digits kept, lower-case;
-- anything else dropped). So a rebuild refills it, a purge of the event
-- drops it with the persons row (same ev_seq), and `plumb verify` compares
-- it with the replay's. A store migrated to 0108 with persons already in it
-- has no rows here until `plumb rebuild` (verify says so, naming the table).
-- projection: person_initials
CREATE TABLE person_initials(
  person_id TEXT PRIMARY KEY,
  initials TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX person_initials_initials ON person_initials(initials);
