-- PostgreSQL twin of src/store/migrations/0108_person_initials.sql (same version, same objects;
-- see docs/ARCHITECTURE.md "SQL dialect").
-- 0108 person initials: the pinyin initials of each person's name, for the
-- global search (docs/API.md "Search"). A projection written by the applier
-- of person.recorded (src/model/registry.c).
-- projection: person_initials
CREATE TABLE person_initials(
  person_id TEXT PRIMARY KEY,
  initials TEXT NOT NULL,
  ev_seq BIGINT NOT NULL
);
CREATE INDEX person_initials_initials ON person_initials(initials);
