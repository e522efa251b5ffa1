-- R22 reference query (plain SQL, SQLite dialect): docs/RULES.md
-- "rectification signed off without evidence, or sent back repeatedly". A
-- task signed off with no evidence reported since it was opened, sent back
-- or re-opened (evidence_open = 0: only an imported register can hold one,
-- the workflow refuses it), or sent back r22_sendbacks (2) times or more.
-- Severity high when both hold, else medium.
-- Inputs: the projection tables; rp_ctx(as_of) the as-of date; rp_unit
-- the profile parameters resolved per unit ('' = the defaults).
-- Output rows (key, subject, severity, evidence): evidence is a
-- comma-separated list of "table:id"; rows of one (key, subject) are united.
-- Test oracle and benchmark baseline for the C engine (src/rules/eval.c).
SELECT t.id AS key, t.owner_unit_id AS subject,
       CASE WHEN t.status = 'signed_off' AND t.evidence_open = 0
                 AND t.sendback_count >= COALESCE(u.r22_sendbacks, dd.r22_sendbacks)
            THEN 'high' ELSE 'medium' END AS severity,
       'inspect_tasks:' || t.id AS evidence
FROM inspect_tasks t
JOIN rp_unit dd ON dd.unit_id = ''
LEFT JOIN rp_unit u ON u.unit_id = t.owner_unit_id
WHERE (t.status = 'signed_off' AND t.evidence_open = 0)
   OR t.sendback_count >= COALESCE(u.r22_sendbacks, dd.r22_sendbacks);
