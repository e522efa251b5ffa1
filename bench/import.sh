#!/bin/bash
# bench/import.sh — import rate of `plumb import` (validation, ledger and
# projections included) next to the sqlite3 shell's `.import` of the same
# CSV files into plain tables, in the same run, as a ratio; peak memory.
# Usage: bench/import.sh [PLUMB] [OUTDIR]   (env PAYMENTS, PERSONS, UNITS)
# Uses `plumb gen --scale prefecture --seed 1` when available, otherwise
# writes a synthetic prefecture-sized set (units, persons, payments).
set -eu
PLUMB=${1:-${PLUMB:-build/plumb}}
OUT=${2:-$(mktemp -d)}
PAYMENTS=${PAYMENTS:-1000000}
PERSONS=${PERSONS:-30000}
UNITS=${UNITS:-1500}
mkdir -p "$OUT"
DATA=$OUT/data
rm -rf "$DATA"
if "$PLUMB" gen --scale prefecture --seed 1 --out "$DATA" >/dev/null 2>&1; then
    kind="plumb gen --scale prefecture --seed 1"
else
    kind="synthetic: $UNITS units, $PERSONS persons, $PAYMENTS payments"
    mkdir -p "$DATA/org" "$DATA/finance"
    awk -v n="$UNITS" 'BEGIN { print "id,parent_id,name,division_code,level,kind,industry"
        print "U0000,,Prefecture committee,4331,prefecture,party,party"
        for (i = 1; i < n; i++) printf "U%04d,U0000,Unit %d,433127,county,department,finance\n", i, i }' \
        >"$DATA/org/01_units.csv"
    awk -v n="$PERSONS" 'BEGIN {
        split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", W, " "); C = "10X98765432"
        print "id,name,gender,birth_date,native_place"
        for (y = 1950; y <= 2004 && k < n; y++) for (m = 1; m <= 12 && k < n; m++)
        for (d = 1; d <= 28 && k < n; d++) for (s = 1; s <= 999 && k < n; s++) {
            body = sprintf("433127%04d%02d%02d%03d", y, m, d, s); t = 0
            for (i = 1; i <= 17; i++) t += substr(body, i, 1) * W[i]
            printf "%s,张伟,%s,%04d-%02d-%02d,433127\n", body substr(C, t % 11 + 1, 1), (s % 2 ? "M" : "F"), y, m, d
            k++ } }' >"$DATA/org/03_persons.csv"
    awk -F, -v n="$PAYMENTS" -v units="$UNITS" 'NR > 1 { id[k++] = $1 }
        END { print "id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id"
        for (i = 0; i < n; i++)
            printf "PAY%07d,U%04d,,%s,%d,2023-%02d-%02d,办公用品采购,,\n", i, i % units, id[i % k], 1000 + (i * 7919) % 5000000, 1 + i % 12, 1 + i % 28 }' \
        "$DATA/org/03_persons.csv" >"$DATA/finance/payments.csv"
fi
# The inputs: DIR/<source>/*.csv, as `plumb import --all` takes them.
SOURCES="org police market realestate securities vehicles contracts meetings finance declarations evaluations supervision clues"
csvs() { for s in $SOURCES; do ls "$DATA/$s"/*.csv 2>/dev/null; done; }
rows=$(csvs | xargs cat | wc -l)
files=$(csvs | wc -l)
rows=$((rows - files))
bytes=$(csvs | xargs cat | wc -c)

now() { date +%s.%N; }
# sqlite3 shell: the same CSV files, each into a plain table.
SQ=$OUT/sqlite.db
rm -f "$SQ"
script=$OUT/import.sql
: >"$script"
for f in $(csvs); do
    t=$(basename "$f" .csv)
    echo ".import --csv $f $(echo "$(basename "$(dirname "$f")")_$t" | tr -c 'a-z0-9_\n' '_')" >>"$script"
done
t0=$(now)
/usr/bin/time -f "%M" -o "$OUT/mem0" sqlite3 "$SQ" <"$script"
t1=$(now)
sq_s=$(echo "$t1 - $t0" | bc -l)

DB=$OUT/plumb.db
rm -f "$DB" "$DB"-wal "$DB"-shm "$DB".key
"$PLUMB" init --db "$DB" >/dev/null 2>&1
t0=$(now)
/usr/bin/time -f "%M" -o "$OUT/mem1" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects.csv" --db "$DB" --quiet --lang en >"$OUT/out1" 2>"$OUT/err1" || true
t1=$(now)
pl_s=$(echo "$t1 - $t0" | bc -l)
t0=$(now)
/usr/bin/time -f "%M" -o "$OUT/mem2" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects2.csv" --db "$DB" --quiet --lang en >"$OUT/out2" 2>"$OUT/err2" || true
t1=$(now)
re_s=$(echo "$t1 - $t0" | bc -l)
events=$(sqlite3 "$DB" 'SELECT count(*) FROM ledger_events')

sq_rate=$(echo "$rows / $sq_s" | bc -l)
pl_rate=$(echo "$rows / $pl_s" | bc -l)
re_rate=$(echo "$rows / $re_s" | bc -l)
printf '## Import\n\n'
printf 'Data: %s — %d rows in %d CSV files, %.1f MB. Machine: %s, %s cores.\n\n' "$kind" "$rows" \
    "$files" "$(echo "$bytes / 1000000" | bc -l)" "$(uname -m)" "$(nproc)"
printf '| run | time (s) | rows/s | peak RSS (MB) |\n|---|---:|---:|---:|\n'
printf '| sqlite3 shell `.import` into plain tables | %.2f | %.0f | %.0f |\n' "$sq_s" "$sq_rate" \
    "$(echo "$(cat "$OUT/mem0") / 1024" | bc -l)"
printf '| `plumb import --all` (validate, ledger, projections; one transaction) | %.2f | %.0f | %.0f |\n' \
    "$pl_s" "$pl_rate" "$(echo "$(cat "$OUT/mem1") / 1024" | bc -l)"
printf '| `plumb import --all` again (idempotent: nothing appended) | %.2f | %.0f | %.0f |\n\n' \
    "$re_s" "$re_rate" "$(echo "$(cat "$OUT/mem2") / 1024" | bc -l)"
rejected=$(awk '$1 == "total" { print $5 }' "$OUT/out1")
printf 'With `--partial` (rows of the data set that fail validation are rejected, not counted as failures of the run): %s rows rejected.\n\n' "${rejected:-?}"
printf 'Ratio plumb / sqlite3 `.import`: **%.3f** (target ≥ 0.5). Events appended: %d.\n' \
    "$(echo "$pl_rate / $sq_rate" | bc -l)" "$events"
