-- 0105 posts (PostgreSQL twin): the portfolio (分管领域) as structured codes (issue #18 item 5,
-- DESIGN.md §5 posts, §6 R18 五不直管; docs/RULES.md R18, docs/IMPORT.md
-- posts). `portfolio` stays as the free text it was; `portfolio_codes` is
-- the comma-joined list of codes in canonical order (src/model/portfolio.c:
-- personnel, finance, projects, approval, procurement, party_building,
-- logistics, safety, petition, business, publicity, discipline), NULL when
-- none. The rows already stored get the codes their text names, by the same
-- keywords as src/model/portfolio.c, so that replaying their events (which
-- carry no codes; the projection derives them the same way) gives the same
-- rows. Keep both lists in step: tests/cli/rules_r18.sh checks it.
ALTER TABLE posts ADD COLUMN portfolio_codes TEXT;
UPDATE posts SET portfolio_codes = NULLIF(rtrim(
    CASE WHEN portfolio LIKE '%人事%' OR portfolio LIKE '%干部%' THEN 'personnel,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%财务%' OR portfolio LIKE '%财政%' OR portfolio LIKE '%资金%' OR portfolio LIKE '%预算%' THEN 'finance,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%工程%' OR portfolio LIKE '%项目%' OR portfolio LIKE '%基建%' THEN 'projects,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%审批%' OR portfolio LIKE '%许可%' THEN 'approval,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%采购%' OR portfolio LIKE '%物资%' THEN 'procurement,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%党建%' THEN 'party_building,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%后勤%' THEN 'logistics,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%安全%' THEN 'safety,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%信访%' OR portfolio LIKE '%维稳%' THEN 'petition,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%业务%' THEN 'business,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%宣传%' THEN 'publicity,' ELSE '' END ||
    CASE WHEN portfolio LIKE '%纪检%' OR portfolio LIKE '%纪律%' THEN 'discipline,' ELSE '' END, ','), '')
WHERE portfolio IS NOT NULL AND portfolio <> '';
