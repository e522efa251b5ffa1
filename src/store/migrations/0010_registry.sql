-- 0010 registry: the projections of the registry entities (DESIGN.md §5).
-- Every row is derived from "<entity>.recorded" events; ev_seq is the
-- sequence of the last event that wrote the row. Ids are the sources'
-- stable keys (persons: the 18-digit citizen ID; companies: the USCC).
-- No SQL foreign keys: references are checked by the model before the event
-- is appended, so that errors name the file, line and field.

-- projection: units
CREATE TABLE units(
  id TEXT PRIMARY KEY,
  parent_id TEXT,
  name TEXT NOT NULL,
  division_code TEXT NOT NULL,
  level TEXT NOT NULL,
  kind TEXT NOT NULL,
  industry TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

-- projection: persons
CREATE TABLE persons(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  gender TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  native_place TEXT,
  ev_seq INTEGER NOT NULL
);

-- projection: posts
CREATE TABLE posts(
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL,
  title TEXT NOT NULL,
  rank TEXT NOT NULL,
  is_top INTEGER NOT NULL,
  category TEXT NOT NULL,
  portfolio TEXT,
  reports_to TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX posts_unit ON posts(unit_id);

-- projection: tenures
CREATE TABLE tenures(
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  post_id TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT,
  decision_id TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX tenures_person ON tenures(person_id);
CREATE INDEX tenures_post ON tenures(post_id);

-- projection: kin
CREATE TABLE kin(
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  relative_id TEXT NOT NULL,
  relation TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX kin_person ON kin(person_id);
CREATE INDEX kin_relative ON kin(relative_id);

-- projection: companies
CREATE TABLE companies(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  legal_rep_id TEXT,
  registered_at TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);

-- projection: company_roles
CREATE TABLE company_roles(
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  role TEXT NOT NULL,
  share_bp INTEGER,
  start_date TEXT NOT NULL,
  end_date TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX company_roles_company ON company_roles(company_id);
CREATE INDEX company_roles_person ON company_roles(person_id);

-- projection: contracts
CREATE TABLE contracts(
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL,
  supplier_id TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  signed_at TEXT NOT NULL,
  procurement_method TEXT NOT NULL,
  subject TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX contracts_unit ON contracts(unit_id, supplier_id, signed_at);

-- projection: meetings
CREATE TABLE meetings(
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  held_at TEXT NOT NULL,
  members_total INTEGER NOT NULL,
  attendees INTEGER NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX meetings_unit ON meetings(unit_id);

-- projection: decisions
CREATE TABLE decisions(
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL,
  meeting_id TEXT,
  category TEXT NOT NULL,
  subject TEXT NOT NULL,
  amount_fen INTEGER,
  appointee_id TEXT,
  integrity_opinion INTEGER,
  votes_for INTEGER,
  result TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX decisions_unit ON decisions(unit_id);
CREATE INDEX decisions_meeting ON decisions(meeting_id);

-- projection: speeches
CREATE TABLE speeches(
  id TEXT PRIMARY KEY,
  decision_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  speech_order INTEGER NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX speeches_decision ON speeches(decision_id);

-- projection: payments
CREATE TABLE payments(
  id TEXT PRIMARY KEY,
  unit_id TEXT NOT NULL,
  payee_company_id TEXT,
  payee_person_id TEXT,
  amount_fen INTEGER NOT NULL,
  paid_at TEXT NOT NULL,
  purpose TEXT NOT NULL,
  contract_id TEXT,
  decision_id TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX payments_unit ON payments(unit_id, paid_at);
CREATE INDEX payments_company ON payments(payee_company_id);

-- projection: declarations
CREATE TABLE declarations(
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  filed_at TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX declarations_person ON declarations(person_id, year);

-- projection: declaration_items
CREATE TABLE declaration_items(
  id TEXT PRIMARY KEY,
  declaration_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  holder_id TEXT NOT NULL,
  ref TEXT NOT NULL,
  amount_fen INTEGER,
  detail TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX declaration_items_decl ON declaration_items(declaration_id);

-- projection: registry_records
CREATE TABLE registry_records(
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  holder_id TEXT NOT NULL,
  ref TEXT NOT NULL,
  amount_fen INTEGER,
  observed_at TEXT NOT NULL,
  detail TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX registry_records_holder ON registry_records(holder_id, kind);

-- projection: evaluations
CREATE TABLE evaluations(
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  year INTEGER NOT NULL,
  kind TEXT NOT NULL,
  score INTEGER,
  votes_excellent INTEGER NOT NULL,
  votes_competent INTEGER NOT NULL,
  votes_basic INTEGER NOT NULL,
  votes_incompetent INTEGER NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX evaluations_person ON evaluations(person_id, year);

-- projection: supervision_activities
CREATE TABLE supervision_activities(
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  person_id TEXT,
  unit_id TEXT,
  held_at TEXT NOT NULL,
  notes TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX supervision_person ON supervision_activities(person_id);
CREATE INDEX supervision_unit ON supervision_activities(unit_id);

-- projection: accountability
CREATE TABLE accountability(
  id TEXT PRIMARY KEY,
  person_id TEXT NOT NULL,
  measure TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  basis TEXT NOT NULL,
  clue_id TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX accountability_person ON accountability(person_id);

-- projection: clues
CREATE TABLE clues(
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  received_at TEXT NOT NULL,
  subject_person_id TEXT,
  subject_unit_id TEXT,
  category TEXT NOT NULL,
  summary TEXT NOT NULL,
  real_name INTEGER NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX clues_subject ON clues(subject_person_id);

-- Reporter identity of real-name clues. Held apart so that access to it can
-- be controlled and logged (sealed in the clue workflow).
-- projection: clue_reporters
CREATE TABLE clue_reporters(
  id TEXT PRIMARY KEY,
  clue_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX clue_reporters_person ON clue_reporters(person_id);

-- projection: dispositions
CREATE TABLE dispositions(
  id TEXT PRIMARY KEY,
  clue_id TEXT NOT NULL,
  method TEXT NOT NULL,
  decided_at TEXT NOT NULL,
  verified_at TEXT,
  concluded_at TEXT,
  outcome TEXT,
  ev_seq INTEGER NOT NULL
);
CREATE INDEX dispositions_clue ON dispositions(clue_id);
