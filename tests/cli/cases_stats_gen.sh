#!/bin/bash
# cases_stats_gen.sh — clue statistics on generated data (plumb gen, county
# scale) equal a direct count of the generated CSV files, dimension by
# dimension; the Excel export carries the same numbers.
# On both engines (helpers/store_lib.sh; cli.pg.cases_stats_gen).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
DB=$(store_new g) || exit 1
"$PLUMB" gen --scale county --seed 5 --out "$T/gen" --quiet >/dev/null 2>&1 || fail "gen"
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$T/gen" --db "$DB" --quiet >/dev/null 2>&1 || fail "import"
"$PLUMB" clue stats --db "$DB" >"$T/s.json" || fail "stats"
CL=$T/gen/clues/clues.csv DI=$T/gen/clues/dispositions.csv
[ -f "$CL" ] && [ -f "$DI" ] || fail "generated clue files missing"
# value of "key" inside the "by_DIM" object of the statistics
stat() { awk -v dim="\"by_$1\": {" -v key="\"$2\":" '
    index($0, dim) { inside = 1; next }
    inside && /}/ { inside = 0 }
    inside && index($0, key) { gsub(/[ ,]/, "", $2); print $2; exit }' "$T/s.json"; }
total=$(($(wc -l <"$CL") - 1))
grep -q "\"total\": $total," "$T/s.json" || fail "total $total: $(head -2 "$T/s.json")"
checked=0
# channel (field 2), category (6), month (3) straight from clues.csv
for spec in channel:2 category:6; do
    dim=${spec%%:*} f=${spec##*:}
    while read -r n key; do
        got=$(stat "$dim" "$key")
        [ "$got" = "$n" ] || fail "$dim $key: stats $got, CSV $n"
        checked=$((checked + 1))
    done < <(tail -n +2 "$CL" | cut -d, -f"$f" | sort | uniq -c)
done
while read -r n key; do
    got=$(stat month "$key")
    [ "$got" = "$n" ] || fail "month $key: stats $got, CSV $n"
    checked=$((checked + 1))
done < <(tail -n +2 "$CL" | cut -d, -f3 | cut -c1-7 | sort | uniq -c)
# method and outcome: one disposition per clue in the generated data
ndisp=$(($(wc -l <"$DI") - 1))
[ "$(tail -n +2 "$DI" | cut -d, -f2 | sort -u | wc -l)" = "$ndisp" ] ||
    fail "generated data has several dispositions per clue"
while read -r n key; do
    got=$(stat method "$key")
    [ "$got" = "$n" ] || fail "method $key: stats $got, CSV $n"
    checked=$((checked + 1))
done < <(tail -n +2 "$DI" | cut -d, -f3 | sort | uniq -c)
[ "$(stat method none)" = "$((total - ndisp))" ] || fail "method none"
while read -r n key; do
    [ -z "$key" ] && key=pending
    got=$(stat outcome "$key")
    want=$n
    [ "$key" = pending ] && want=$((n + total - ndisp))
    [ "$got" = "$want" ] || fail "outcome $key: stats $got, CSV $want"
    checked=$((checked + 1))
done < <(tail -n +2 "$DI" | awk -F, '{print $7}' | sort | uniq -c)
[ "$checked" -gt 20 ] || fail "only $checked values compared"
"$PLUMB" clue stats --db "$DB" --xlsx "$T/s.xlsx" >/dev/null || fail "xlsx"
unzip -p "$T/s.xlsx" xl/worksheets/sheet1.xml | grep -q "<v>$total</v>" || fail "xlsx total"
# Backlog and overdue as of the generator's date: the overdue clues are
# exactly the R12 (clue overdue) cases the generator planted in truth.json.
PLUMB_NOW=2026-06-30T00:00:00Z "$PLUMB" clue stats --db "$DB" --json >"$T/s0.json" || fail "stats --json"
read -r open overdue < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["open"], d["overdue"])' "$T/s0.json")
r12=$(python3 -c 'import json,sys; print(sum(1 for f in json.load(open(sys.argv[1]))["findings"] if f["rule"]=="R12"))' "$T/gen/truth.json")
[ "$r12" -ge 2 ] || fail "truth.json plants only $r12 R12 cases"
[ "$overdue" = "$r12" ] || fail "overdue clues: stats $overdue, truth.json R12 $r12"
[ "$open" -ge "$overdue" ] || fail "backlog $open smaller than overdue $overdue"
echo "cases_stats_gen: 1 passed, 0 failed ($checked values equal; overdue $overdue = R12 in truth.json)"
