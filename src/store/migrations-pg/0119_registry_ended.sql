-- 0119 registry_records: the record's end (注销日期: a home sold or
-- transferred, a passport cancelled or handed in to the organisation
-- department). A record is held at a date D when observed_at <= D and
-- (ended_at absent or ended_at > D). The declaration comparison reads it
-- (docs/DECLARE.md "Comparison"); optional and last, so existing files
-- import unchanged.
ALTER TABLE registry_records ADD COLUMN ended_at TEXT;
