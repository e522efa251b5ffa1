-- 0118 decisions: the date of an imported integrity opinion (廉政意见的出具
-- 日期). An imported integrity_opinion = 1 is an opinion of no objection
-- from the source agency, recorded by the import event of the decision;
-- integrity_opinion_at dates it (absent: the decision's own date). R10
-- reads it beside the opinions issued here (docs/RULES.md R10,
-- docs/IMPORT.md, docs/DECLARE.md "Integrity opinion").
ALTER TABLE decisions ADD COLUMN integrity_opinion_at TEXT;
