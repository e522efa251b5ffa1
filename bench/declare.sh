#!/usr/bin/env bash
# bench/declare.sh — the comparison of a drawn sample (docs/DECLARE.md
# "Comparison") against a plain SQL join of the same rows on the same store:
# `plumb declare sample DR-n` (every drawn declaration compared line by
# line, classed, scored and ranked) vs one sqlite3 query joining the same
# declarations' households (self, spouses, minor children) with their
# registry records of the year and the declared items of the same kind and
# ref. Median of RUNS wall times each; prints the ratio as Markdown.
# Usage: bench/declare.sh [BUILD_DIR]   SCALE=prefecture (default) | county
#        DB=FILE: an imported store to use (copied; else generated, seed 7)
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
if [ -n "${DB:-}" ]; then
  cp "$DB" "$W/b.db"; cp "$DB.key" "$W/b.db.key" 2>/dev/null || true
else
  echo "generating and importing a $SCALE store (seed 7)…" >&2
  "$PLUMB" gen --scale "$SCALE" --seed 7 --out "$W/gen" --quiet >/dev/null
  "$PLUMB" init --db "$W/b.db" --origin bench/declare >/dev/null
  "$PLUMB" import --all "$W/gen" --db "$W/b.db" --quiet >/dev/null
fi
db=$W/b.db
root=$(sqlite3 "$db" "SELECT id FROM units WHERE parent_id IS NULL OR parent_id='' ORDER BY id LIMIT 1")
rid=$("$PLUMB" declare round --db "$db" --year "$YEAR" --unit "$root" 2>/dev/null)
"$PLUMB" declare draw "$rid" --db "$db" >/dev/null
n=$(sqlite3 "$db" "SELECT count(*) FROM declaration_round_sample WHERE round_id='$rid'")
ne=$(sqlite3 "$db" "SELECT eligible_count FROM declaration_rounds WHERE id='$rid'")
minor=$((YEAR - 18))-12-31
join_sql="
WITH s AS (SELECT m.declaration_id AS d, x.person_id AS p FROM declaration_round_sample m
           JOIN declarations x ON x.id = m.declaration_id WHERE m.round_id = '$rid'),
hh AS (SELECT d, p, p AS h FROM s
       UNION SELECT d, p, k.relative_id FROM s JOIN kin k ON k.person_id = s.p AND k.relation = 'spouse'
       UNION SELECT d, p, k.person_id FROM s JOIN kin k ON k.relative_id = s.p AND k.relation = 'spouse'
       UNION SELECT d, p, k.relative_id FROM s JOIN kin k ON k.person_id = s.p AND k.relation = 'child'
             JOIN persons c ON c.id = k.relative_id WHERE c.birth_date > '$minor')
SELECT hh.d, r.id, r.kind, r.ref, r.amount_fen, i.id, i.amount_fen
FROM hh JOIN registry_records r ON r.holder_id = hh.h
LEFT JOIN declaration_items i ON i.declaration_id = hh.d AND i.kind = r.kind AND i.ref = r.ref
WHERE (r.kind IN ('real_estate','company_role','vehicle','securities') AND r.observed_at <= '$YEAR-12-31')
   OR (r.kind IN ('exit_abroad','kin_abroad') AND substr(r.observed_at,1,4) = '$YEAR');"
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
echo "| $SCALE seed 7, $YEAR | $ne | $n | $lines | $rows | $mo | $mj | $(python3 -c "print(f'{$mo/max($mj,1):.1f}')") |"
