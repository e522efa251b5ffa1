-- 0129 person links (issue #19 item 3, docs/LINKAGE.md): the pairs of
-- person records the linkage proposed (score at or above the lower
-- threshold) and the human judgements of them. Written by "link.proposed"
-- (status linked: at or above the upper threshold; review: between the
-- two) and "link.judged" (status same / not_same / unsure, with who, when
-- and why), so replay rebuilds it. a < b (the two persons' ids).
-- score_centibits: the total Fellegi–Sunter weight in hundredths of a bit;
-- features: the explanation, a JSON array of {feature, level,
-- weight_centibits}.

-- projection: person_links
CREATE TABLE person_links(
  a TEXT NOT NULL,
  b TEXT NOT NULL,
  status TEXT NOT NULL,
  score_centibits INTEGER NOT NULL,
  features TEXT NOT NULL,
  proposed_at TEXT NOT NULL,
  judged_by TEXT,
  judged_at TEXT,
  reason TEXT,
  ev_seq INTEGER NOT NULL,
  PRIMARY KEY(a, b)
);
CREATE INDEX person_links_status ON person_links(status);
CREATE INDEX person_links_b ON person_links(b);
