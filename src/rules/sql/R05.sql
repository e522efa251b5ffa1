-- R05 reference query (plain SQL, SQLite dialect): docs/RULES.md "decision not collective".
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit /
-- rp_person the profile parameters resolved per unit and per person (the
-- person's unit at as_of: open tenure, top post first, then smallest unit id).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- "date + N months" is written out as calendar arithmetic with the day
-- clamped to the end of the month (Feb 29 + 1 year = Feb 28).
SELECT d.id AS key, d.unit_id AS subject, 'high' AS severity,
       'decisions:' || d.id || COALESCE(',meetings:' || m.id, '') AS evidence
FROM decisions d
JOIN rp_unit u ON u.unit_id = d.unit_id
LEFT JOIN meetings m ON m.id = d.meeting_id
WHERE m.id IS NULL
   OR m.attendees * u.r05_quorum_den <= m.members_total * u.r05_quorum_num
   OR (d.category = 'appointment'
       AND m.attendees * u.r05_appoint_den < m.members_total * u.r05_appoint_num);
