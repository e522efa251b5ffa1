#!/bin/bash
# bench/import.sh — import rate of `plumb import` (validation, ledger and
# projections included) next to the sqlite3 shell's `.import` of the same
# CSV files, in the same run, as a ratio (wall clock and CPU seconds), with
# and without the rule sweep that ends an import batch; peak memory.
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
# /usr/bin/time: peak RSS (KB), then user and system CPU seconds. On a
# shared machine the CPU seconds are the steadier figure; both are given.
TF="%M %U %S"
cpu() { awk '{ print $2 + $3 }' "$1"; }
mem() { awk '{ printf "%.0f", $1 / 1024 }' "$1"; }
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem0" sqlite3 "$SQ" <"$script"
t1=$(now)
sq_s=$(echo "$t1 - $t0" | bc -l)

DB=$OUT/plumb.db
rm -f "$DB" "$DB"-wal "$DB"-shm "$DB".key
"$PLUMB" init --db "$DB" >/dev/null 2>&1
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem1" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects.csv" --db "$DB" --quiet --lang en >"$OUT/out1" 2>"$OUT/err1" || true
t1=$(now)
pl_s=$(echo "$t1 - $t0" | bc -l)
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem2" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects2.csv" --db "$DB" --quiet --lang en >"$OUT/out2" 2>"$OUT/err2" || true
t1=$(now)
re_s=$(echo "$t1 - $t0" | bc -l)
events=$(sqlite3 "$DB" 'SELECT count(*) FROM ledger_events')
# The same import without the rule sweep that ends the batch (--no-rules):
# the import proper (validation, ledger, projections), into a fresh store.
DB3=$OUT/plumb-norules.db
rm -f "$DB3" "$DB3"-wal "$DB3"-shm "$DB3".key
"$PLUMB" init --db "$DB3" >/dev/null 2>&1
t0=$(now)
/usr/bin/time -f "$TF" -o "$OUT/mem3" "$PLUMB" import --all "$DATA" --partial --rejects "$OUT/rejects3.csv" --db "$DB3" --no-rules --quiet --lang en >"$OUT/out3" 2>"$OUT/err3" || true
t1=$(now)
nr_s=$(echo "$t1 - $t0" | bc -l)

sq_rate=$(echo "$rows / $sq_s" | bc -l)
pl_rate=$(echo "$rows / $pl_s" | bc -l)
re_rate=$(echo "$rows / $re_s" | bc -l)
printf '## Import\n\n'
printf 'Data: %s — %d rows in %d CSV files, %.1f MB. Machine: %s, %s cores.\n\n' "$kind" "$rows" \
    "$files" "$(echo "$bytes / 1000000" | bc -l)" "$(uname -m)" "$(nproc)"
nr_rate=$(echo "$rows / $nr_s" | bc -l)
printf '| run | time (s) | rows/s | CPU (s) | peak RSS (MB) |\n|---|---:|---:|---:|---:|\n'
printf '| sqlite3 shell `.import` into plain tables | %.2f | %.0f | %.2f | %s |\n' "$sq_s" "$sq_rate" \
    "$(cpu "$OUT/mem0")" "$(mem "$OUT/mem0")"
printf '| `plumb import --all` (validate, ledger, projections, rule sweep; one transaction) | %.2f | %.0f | %.2f | %s |\n' \
    "$pl_s" "$pl_rate" "$(cpu "$OUT/mem1")" "$(mem "$OUT/mem1")"
printf '| `plumb import --all` again (idempotent: nothing appended) | %.2f | %.0f | %.2f | %s |\n' \
    "$re_s" "$re_rate" "$(cpu "$OUT/mem2")" "$(mem "$OUT/mem2")"
printf '| `plumb import --all --no-rules` (validate, ledger, projections) | %.2f | %.0f | %.2f | %s |\n\n' \
    "$nr_s" "$nr_rate" "$(cpu "$OUT/mem3")" "$(mem "$OUT/mem3")"
rejected=$(awk '$1 == "total" { print $5 }' "$OUT/out1")
printf 'With `--partial` (rows of the data set that fail validation are rejected, not counted as failures of the run): %s rows rejected.\n\n' "${rejected:-?}"
printf 'Ratio plumb / sqlite3 `.import` (target ≥ 0.5): with the rule sweep **%.3f**, without it (`--no-rules`) **%.3f**; in CPU seconds %.3f and %.3f. Events appended: %d. Load average at the end: %s.\n' \
    "$(echo "$pl_rate / $sq_rate" | bc -l)" "$(echo "$nr_rate / $sq_rate" | bc -l)" \
    "$(echo "$(cpu "$OUT/mem0") / $(cpu "$OUT/mem1")" | bc -l)" \
    "$(echo "$(cpu "$OUT/mem0") / $(cpu "$OUT/mem3")" | bc -l)" "$events" "$(cut -d' ' -f1-3 /proc/loadavg)"
