-- 0106 supervision_activities: who held the activity (issue #18 item 5, R19;
-- docs/RULES.md R19, docs/IMPORT.md supervision). `held_by` is the person
-- (citizen ID) who held a talk — for a heart-to-heart (谈心谈话) between the
-- upper and the lower top leader, the upper one — NULL when not recorded
-- (every row stored before this migration: such a talk does not count for
-- R19, whose annual heart-to-heart must be held by a top leader of the
-- level above).
ALTER TABLE supervision_activities ADD COLUMN held_by TEXT;
