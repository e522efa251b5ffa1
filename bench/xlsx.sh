#!/bin/bash
# xlsx.sh — a large .xlsx import and its peak memory (docs/BENCHMARKS.md
# "Excel import"). Not part of the suite: it runs only with
# PLUMB_BENCH_XLSX=1. Generates a data set (plumb gen, seed 1), imports every
# source but finance as CSV into a store, copies that store, writes the
# payments as one workbook with libxlsxwriter (tests/tools/xlsx_make: sheets
# 1_payments, 2_payments... of at most 1,000,000 rows; dates as real Excel
# dates), and imports the
# workbook into one copy and the same payments CSV into the other, each
# under /usr/bin/time -v; then checks the two payments tables are equal.
# REPEAT=k (default 1) writes the payments k times, ids prefixed R1-, R2-...,
# for a larger workbook from the same data set.
# usage: PLUMB_BENCH_XLSX=1 [REPEAT=k] bench/xlsx.sh BUILD_DIR WORK_DIR [SCALE [LIMIT]]
set -eu
[ "${PLUMB_BENCH_XLSX:-0}" = 1 ] || { echo "set PLUMB_BENCH_XLSX=1 to run (minutes, GBs of disk)"; exit 0; }
B=$(cd "$1" && pwd) W=$2 SCALE=${3:-prefecture} LIMIT=${4:-}
P=$B/plumb MK=$B/xlsx_make
rm -rf "$W"
mkdir -p "$W"
nice "$P" gen --scale "$SCALE" --seed 1 --out "$W/gen" ${LIMIT:+--limit "$LIMIT"} --quiet
mv "$W/gen/finance" "$W/finance"
if [ "${REPEAT:-1}" -gt 1 ]; then
    f=$W/finance/payments.csv
    { head -1 "$f"; for k in $(seq 1 "$REPEAT"); do tail -n +2 "$f" | sed "s/^/R$k-/"; done; } >"$f.big"
    mv "$f.big" "$f"
fi
"$P" init --db "$W/x.db" >/dev/null
nice "$P" import --all "$W/gen" --db "$W/x.db" --no-rules --quiet >/dev/null
sqlite3 "$W/x.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
cp "$W/x.db" "$W/c.db"
cp "$W/x.db.key" "$W/c.db.key" 2>/dev/null || true
for f in "$W"/x.db.*; do [ -e "$f" ] && cp "$f" "$W/c.db.${f##*/x.db.}"; done
# A sheet holds at most 1,048,576 rows: the payments are cut into sheets of
# 1,000,000, named 1_payments, 2_payments... in pay.xlsx (one entity per
# sheet; the file name names none).
f=$W/finance/payments.csv
tail -n +2 "$f" | split -l 1000000 -d - "$W/part."
sheets=()
k=0
for p in "$W"/part.*; do
    k=$((k + 1))
    { head -1 "$f"; cat "$p"; } >"$p.csv"
    rm "$p"
    sheets+=("${k}_payments=$p.csv")
done
/usr/bin/time -v nice "$MK" "$W/pay.xlsx" "${sheets[@]}" 2>"$W/make.time"
rm -f "$W"/part.*.csv
echo "workbook: $(stat -c %s "$W/pay.xlsx") bytes, $k sheets ($(unzip -l "$W/pay.xlsx" |
    awk '/worksheets\/sheet/ {n += $1} END {print n}') bytes of sheet XML), CSV:" \
    "$(stat -c %s "$f") bytes, $(($(wc -l <"$f") - 1)) rows"
run() { # NAME DB FILE
    /usr/bin/time -v nice "$P" import --source finance --no-rules --quiet --db "$2" "$3" \
        >"$W/$1.out" 2>"$W/$1.time"
    printf '%-5s %8s s  %7s MB peak RSS  (user %s s, sys %s s)\n' "$1" \
        "$(awk -F': ' '/Elapsed/ {print $2}' "$W/$1.time")" \
        "$(($(awk -F': ' '/Maximum resident/ {print $2}' "$W/$1.time") / 1024))" \
        "$(awk -F': ' '/User time/ {print $2}' "$W/$1.time")" \
        "$(awk -F': ' '/System time/ {print $2}' "$W/$1.time")"
}
run xlsx "$W/x.db" "$W/pay.xlsx"
run csv "$W/c.db" "$W/finance/payments.csv"
a=$(sqlite3 "$W/x.db" 'SELECT * FROM payments ORDER BY id' | sha256sum)
b=$(sqlite3 "$W/c.db" 'SELECT * FROM payments ORDER BY id' | sha256sum)
[ "$a" = "$b" ] && echo "payments tables equal" || { echo "payments tables DIFFER"; exit 1; }
