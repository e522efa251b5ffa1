#!/usr/bin/env bash
# bench/declare.sh — the comparison of a drawn sample (docs/DECLARE.md
# "Comparison") against a plain SQL join of the same rows on the same store:
# `plumb declare sample DR-n` (every drawn declaration compared line by
# line, classed, scored and ranked) vs one sqlite3 query joining the same
# declarations' households (self, spouses, minor children) with their
# registry records of the year and the declared items of the same kind and
# ref. Median of RUNS wall times each; prints the ratio as Markdown.
# Then the integrity file (docs/DECLARE.md "Integrity file") of the leader
# with the fullest history (a top post's holder: findings about the person
# first, then a clue, a declaration, then the most rows over the file's
# parts), printed as PDF — `plumb file ID --format pdf` — against one
# sqlite3 run of the file's section queries for that person (the same rows,
# no scope, no layout), median of RUNS each.
# Usage: bench/declare.sh [BUILD_DIR]   SCALE=prefecture (default) | county
#        DB=FILE: an imported store to use (copied; else generated, seed 7)
#        INPLACE=1: use DB itself, not a copy (a province store: the round
#          and the draw are written to it)
#        LABEL=TEXT: the store's name in the table (default "SCALE seed 7")
#        YEAR=2025  RUNS=5
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
PLUMB=$BUILD/plumb
SCALE=${SCALE:-prefecture}
YEAR=${YEAR:-2025}
RUNS=${RUNS:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
LABEL=${LABEL:-$SCALE seed 7}
db=$W/b.db
if [ -n "${DB:-}" ] && [ -n "${INPLACE:-}" ]; then
  db=$DB
elif [ -n "${DB:-}" ]; then
  cp "$DB" "$W/b.db"; cp "$DB.key" "$W/b.db.key" 2>/dev/null || true
else
  echo "generating and importing a $SCALE store (seed 7)…" >&2
  "$PLUMB" gen --scale "$SCALE" --seed 7 --out "$W/gen" --quiet >/dev/null
  "$PLUMB" init --db "$W/b.db" --origin bench/declare >/dev/null
  "$PLUMB" import --all "$W/gen" --db "$W/b.db" --quiet >/dev/null
fi
root=$(sqlite3 "$db" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1")
rid=$("$PLUMB" declare round --db "$db" --year "$YEAR" --unit "$root" 2>/dev/null)
"$PLUMB" declare draw "$rid" --db "$db" >/dev/null
n=$(sqlite3 "$db" "SELECT count(*) FROM declaration_round_sample WHERE round_id='$rid'")
ne=$(sqlite3 "$db" "SELECT eligible_count FROM declaration_rounds WHERE id='$rid'")
minor=$((YEAR - 18))-12-31
# The same rows as src/declare/compare.c reads since R09 reads them too
# (issue #18): the household's records held at 31 Dec (ended_at), passports,
# every child's residence abroad (kin_abroad; an adult child for that only),
# exits and income of the year, and each company role's ended count.
join_sql="
WITH s AS (SELECT m.declaration_id AS d, x.person_id AS p FROM declaration_round_sample m
           JOIN declarations x ON x.id = m.declaration_id WHERE m.round_id = '$rid'),
hh AS (SELECT d, p, p AS h, 0 AS kin_only FROM s
       UNION SELECT d, p, k.relative_id, 0 FROM s JOIN kin k ON k.person_id = s.p AND k.relation = 'spouse'
       UNION SELECT d, p, k.person_id, 0 FROM s JOIN kin k ON k.relative_id = s.p AND k.relation = 'spouse'
       UNION SELECT d, p, k.relative_id, CASE WHEN c.birth_date > '$minor' THEN 0 ELSE 1 END
             FROM s JOIN kin k ON k.person_id = s.p AND k.relation = 'child'
             JOIN persons c ON c.id = k.relative_id)
SELECT hh.d, r.id, r.kind, r.ref, r.amount_fen, i.id, i.amount_fen,
  (SELECT count(*) FROM company_roles cr WHERE cr.person_id = r.holder_id AND cr.company_id = r.ref),
  (SELECT count(*) FROM company_roles cr WHERE cr.person_id = r.holder_id AND cr.company_id = r.ref
     AND cr.end_date IS NOT NULL AND cr.end_date <> '' AND cr.end_date <= '$YEAR-12-31')
FROM hh JOIN registry_records r ON r.holder_id = hh.h
LEFT JOIN declaration_items i ON i.declaration_id = hh.d AND i.kind = r.kind AND i.ref = r.ref
WHERE (r.kind = 'kin_abroad' OR hh.kin_only = 0) AND (
      (r.kind IN ('real_estate','company_role','vehicle','securities','passport','kin_abroad')
       AND r.observed_at <= '$YEAR-12-31' AND (r.ended_at IS NULL OR r.ended_at = '' OR r.ended_at > '$YEAR-12-31'))
   OR (r.kind = 'exit_abroad' AND substr(r.observed_at,1,4) = '$YEAR')
   OR (r.kind = 'income' AND substr(r.observed_at,1,4) = '$YEAR' AND r.holder_id = hh.p));"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t_ours=(); t_join=()
for _ in $(seq "$RUNS"); do
  s=$(date +%s%N); "$PLUMB" declare sample "$rid" --db "$db" >"$W/ours.json"; e=$(date +%s%N)
  t_ours+=($(( (e - s) / 1000000 )))
  s=$(date +%s%N); sqlite3 "$db" "$join_sql" >"$W/join.txt"; e=$(date +%s%N)
  t_join+=($(( (e - s) / 1000000 )))
done
mo=$(printf '%s\n' "${t_ours[@]}" | median)
mj=$(printf '%s\n' "${t_join[@]}" | median)
lines=$(python3 -c 'import json,sys; print(sum(sum(x["counts"].values()) for x in json.load(open(sys.argv[1]))))' "$W/ours.json")
rows=$(wc -l <"$W/join.txt")
echo "| store | eligible | drawn | lines (ours) | rows (join) | plumb declare sample ms | plain SQL join ms | ratio |"
echo "|---|---|---|---|---|---|---|---|"
echo "| $LABEL, $YEAR | $ne | $n | $lines | $rows | $mo | $mj | $(python3 -c "print(f'{$mo/max($mj,1):.1f}')") |"

# ------------------------------------------------ the integrity file as PDF
P=$(sqlite3 "$db" "SELECT x.id FROM (SELECT DISTINCT te.person_id AS id FROM tenures te JOIN posts p ON p.id=te.post_id WHERE p.is_top=1) x
ORDER BY (SELECT count(*) FROM findings f WHERE f.subject_kind='person' AND f.subject=x.id) > 0 DESC,
 (SELECT count(*) FROM clues c WHERE c.subject_person_id=x.id) > 0 DESC,
 (SELECT count(*) FROM declarations d WHERE d.person_id=x.id) > 0 DESC,
 (SELECT count(*) FROM findings f WHERE f.subject_kind='unit' AND f.subject IN (SELECT p.unit_id FROM tenures te JOIN posts p ON p.id=te.post_id WHERE te.person_id=x.id AND p.is_top=1))
 + (SELECT count(*) FROM tenures te WHERE te.person_id=x.id) + (SELECT count(*) FROM kin k WHERE k.person_id=x.id)
 + (SELECT count(*) FROM evaluations v WHERE v.person_id=x.id) + (SELECT count(*) FROM supervision_activities s WHERE s.person_id=x.id)
 + (SELECT count(*) FROM accountability a WHERE a.person_id=x.id) + (SELECT count(*) FROM risk_warnings w WHERE w.person_id=x.id) DESC, x.id LIMIT 1")
# The file's sections as src/declare/file.c reads them (scope and recusal
# left out), for person P.
file_sql="
SELECT t.id, t.name, t.gender, t.birth_date, t.native_place FROM persons t WHERE t.id='$P';
SELECT t.id, t.start_date, t.end_date, p.title, p.is_top, p.category, p.portfolio, p.unit_id, u.name FROM tenures t LEFT JOIN posts p ON p.id=t.post_id LEFT JOIN units u ON u.id=p.unit_id WHERE t.person_id='$P' ORDER BY t.start_date, t.id;
SELECT t.id, t.relation, t.relative_id, r.name FROM kin t LEFT JOIN persons r ON r.id=t.relative_id WHERE t.person_id='$P' ORDER BY t.relation, t.id;
SELECT t.id, t.person_id, h.name, t.role, t.share_bp, t.start_date, t.end_date, co.name, t.company_id FROM company_roles t LEFT JOIN persons h ON h.id=t.person_id LEFT JOIN companies co ON co.id=t.company_id WHERE (t.person_id='$P' OR t.person_id IN (SELECT relative_id FROM kin WHERE person_id='$P')) ORDER BY t.start_date, t.id;
SELECT t.id, t.year, t.filed_at FROM declarations t WHERE t.person_id='$P' ORDER BY t.year, t.id;
SELECT t.id, t.declaration_id, t.kind, t.holder_id, h.name, t.ref, t.amount_fen, t.detail FROM declaration_items t LEFT JOIN persons h ON h.id=t.holder_id WHERE t.declaration_id IN (SELECT id FROM declarations WHERE person_id='$P') ORDER BY t.declaration_id, t.id;
SELECT t.id, m.round_id, m.basis, m.draw_rank, k.conclusion, k.reason, k.score, k.concluded_at FROM declarations t JOIN declaration_round_sample m ON m.declaration_id=t.id LEFT JOIN declaration_conclusions k ON k.round_id=m.round_id AND k.declaration_id=t.id WHERE t.person_id='$P' ORDER BY t.id, m.round_id;
SELECT t.id, t.source, t.ref, t.observed_at, t.detail FROM registry_records t WHERE t.holder_id='$P' AND t.kind='exit_abroad' ORDER BY t.observed_at, t.id;
SELECT t.* FROM evaluations t WHERE t.person_id='$P' ORDER BY t.year, t.id;
SELECT t.id, t.kind, t.held_at, t.notes, u.name FROM supervision_activities t LEFT JOIN units u ON u.id=t.unit_id WHERE t.person_id='$P' ORDER BY t.held_at, t.id;
SELECT t.*, u.name FROM findings t LEFT JOIN units u ON u.id=t.unit_id WHERE t.subject_kind='person' AND t.subject='$P' ORDER BY t.first_seen, t.id;
SELECT t.*, u.name FROM findings t LEFT JOIN units u ON u.id=t.unit_id WHERE t.subject_kind='unit' AND t.subject IN (SELECT p.unit_id FROM tenures te JOIN posts p ON p.id=te.post_id WHERE te.person_id='$P' AND p.is_top=1) ORDER BY t.first_seen, t.id;
SELECT t.id, t.channel, t.received_at, t.category, t.summary, u.name FROM clues t LEFT JOIN units u ON u.id=t.subject_unit_id WHERE t.subject_person_id='$P' ORDER BY t.received_at, t.id;
SELECT t.id, t.clue_id, t.method, t.decided_at, t.verified_at, t.concluded_at, t.outcome FROM dispositions t WHERE t.clue_id IN (SELECT id FROM clues WHERE subject_person_id='$P') ORDER BY t.decided_at, t.id;
SELECT t.id, t.measure, t.decided_at, t.basis, t.clue_id FROM accountability t WHERE t.person_id='$P' ORDER BY t.decided_at, t.id;
SELECT t.id, t.grade, t.index_x100, t.raised_at FROM risk_warnings t WHERE t.person_id='$P' ORDER BY t.raised_at, t.id;
SELECT t.id, t.kind, t.owner_role, t.title_zh, t.title_en, t.due_date, t.status, t.opened_at FROM rule_tasks t WHERE t.person_id='$P' ORDER BY t.opened_at, t.id;"
t_pdf=(); t_fj=()
for _ in $(seq "$RUNS"); do
  s=$(date +%s%N); "$PLUMB" file "$P" --format pdf -o "$W/file.pdf" --db "$db" >/dev/null; e=$(date +%s%N)
  t_pdf+=($(( (e - s) / 1000000 )))
  s=$(date +%s%N); sqlite3 "$db" "$file_sql" >"$W/file.txt"; e=$(date +%s%N)
  t_fj+=($(( (e - s) / 1000000 )))
done
mp=$(printf '%s\n' "${t_pdf[@]}" | median)
mf=$(printf '%s\n' "${t_fj[@]}" | median)
parts=$("$PLUMB" file "$P" --db "$db" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(", ".join(f"{k} {len(v)}" for k,v in d.items() if isinstance(v,list) and k not in ("withheld",) and len(v)))')
echo
echo "| store | person (parts) | PDF pages, bytes | plumb file --format pdf ms | plain SQL of its sections ms (rows) | ratio |"
echo "|---|---|---|---|---|---|"
pages=$(pdfinfo "$W/file.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
echo "| $LABEL | $P ($parts) | ${pages:-?}, $(stat -c %s "$W/file.pdf") | $mp | $mf ($(wc -l <"$W/file.txt")) | $(python3 -c "print(f'{$mp/max($mf,1):.1f}')") |"
