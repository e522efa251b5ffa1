-- 0140 person records (issue #19 items 3-4, docs/LINKAGE.md "Records
-- without a reliable ID"): register rows of a person that carry no
-- reliable ID — a market register's shareholder row, a police register's
-- household member — known by name, birth date, the ID as written (not
-- validated: a wrong check digit is the point; may be empty), a division,
-- a household number (户号) and a company role. Written by
-- "person_record.recorded" (the registry's generic upsert), so replay
-- rebuilds it. `plumb link run` links them to persons (person_links, the
-- record's side named "person_records:<id>"); R04 reads a linked record's
-- role as the person's.

-- projection: person_records
CREATE TABLE person_records(
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  name TEXT NOT NULL,
  gender TEXT,
  birth_date TEXT,
  id_as_written TEXT,
  division_code TEXT,
  household TEXT,
  company_id TEXT,
  role TEXT,
  share_bp INTEGER,
  start_date TEXT,
  end_date TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX person_records_id_as_written ON person_records(id_as_written);
CREATE INDEX person_records_household ON person_records(household);
CREATE INDEX person_records_company ON person_records(company_id);
