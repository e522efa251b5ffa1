-- R18 reference query: specified in DESIGN.md §6 for a later round of rule
-- work and not implemented yet (docs/RULES.md): no findings, in the engine
-- as here. The file keeps the numbering R01..R23 of the embedded array.
SELECT '' AS key, '' AS subject, 'low' AS severity, '' AS evidence WHERE 1 = 0;
