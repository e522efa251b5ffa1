#!/bin/bash
# import_pipe.sh — the pipelined import (the default) and the
# single-threaded one (PLUMB_IMPORT_THREADS=1) give the same store: the same
# ledger root for root (every header, leaf hash, payload and stored node),
# the same projections (the whole database dumped), the same problems in
# the same order (stderr), the same rejects file and counts; and a bad row
# late in a file is the same error (file:line:field) in both, with the
# store left exactly as before (docs/IMPORT.md "Pipelined import").
set -u
: "${PLUMB:?}"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT; [ -n "${KEEP:-}" ] && echo "$T"
fail() { echo "FAIL: $*"; exit 1; }
# One clock and one subject key for both stores: a header carries the time
# and the keyed handles of its subjects.
export PLUMB_NOW=2026-01-01T00:00:00Z
"$PLUMB" gen --scale county --seed 5 --out "$T/gen" --quiet >/dev/null 2>&1 || fail "gen"
# A subset of every source (the first 900 records of each file: some refer
# to rows left out, so the writer rejects them), one file in GB18030, a
# JSON Lines input, and the generator's planted bad rows: problems found
# on both sides of the queue, interleaved.
D=$T/data
for f in "$T"/gen/*/*.csv; do
    s=$(basename "$(dirname "$f")")
    [ "$s" = bad ] && continue
    mkdir -p "$D/$s"
    head -n 901 "$f" >"$D/$s/$(basename "$f")"
done
iconv -f UTF-8 -t GB18030 "$D/org/units.csv" >"$T/u" && mv "$T/u" "$D/org/units.csv" || fail "iconv"
cp "$T/gen/bad/org/persons.csv" "$D/org/09_persons.csv"
cp "$T/gen/bad/finance/payments.csv" "$D/finance/09_payments.csv"
# payments as JSON Lines: 300 of them, every 7th with an impossible date,
# every 11th naming a unit that does not exist
sed -n '902,1201p' "$T/gen/finance/payments.csv" | awk -F, '{
    d = $6; u = $2
    if (NR % 7 == 0) d = "2023-02-30"
    if (NR % 11 == 0) u = "U-NONE-" NR
    printf "{\"id\":\"%s\",\"unit_id\":\"%s\",\"payee_company_id\":\"%s\",\"payee_person_id\":\"%s\",\"amount_fen\":%s,\"paid_at\":\"%s\",\"purpose\":\"%s\"}\n", $1, u, $3, $4, $5, d, $7 }' \
    >"$D/finance/payments.jsonl"
rows=$(cat "$D"/*/*.csv "$D"/*/*.jsonl | wc -l)
[ "$rows" -gt 8192 ] || fail "only $rows lines: fewer than the queue holds"

"$PLUMB" init --db "$T/base.db" >/dev/null 2>&1 || fail "init"
sqlite3 "$T/base.db" "INSERT INTO plumb_meta(key, value) VALUES('ledger_subject_key', '$(printf '%064d' 7)')" ||
    fail "subject key"
fresh() { rm -f "$1"*; cp "$T/base.db" "$1"; [ -e "$T/base.db.key" ] && cp "$T/base.db.key" "$1.key"; true; }
# summary lines without the timing ("... 1.23 s (4567 rows/s)")
untimed() { sed -E -e 's/, [0-9.]+ s \([0-9]+ rows\/s\)$//' -e 's/rej[12]\.csv/rej.csv/' "$1"; }
dump() { sqlite3 "$1" .dump; }

# 1. The same files, --partial, both ways.
for mode in 1 2; do
    fresh "$T/s$mode.db"
    PLUMB_IMPORT_THREADS=$mode "$PLUMB" import --all "$D" --partial --rejects "$T/rej$mode.csv" \
        --db "$T/s$mode.db" --no-rules --lang en >"$T/out$mode" 2>"$T/err$mode"
    echo $? >"$T/rc$mode"
done
[ "$(cat "$T/rc1")" = 0 ] && [ "$(cat "$T/rc2")" = 0 ] ||
    { cat "$T/err2"; fail "partial import exit $(cat "$T/rc1") / $(cat "$T/rc2")"; }
cmp -s "$T/err1" "$T/err2" || { diff "$T/err1" "$T/err2" | head; fail "problems differ (order or text)"; }
# stderr shows the first 1,000 problems; the rejects file has every
# rejected record with its problems, in order
[ "$(grep -c . "$T/err1")" -gt 100 ] || fail "too few problems to compare: $(grep -c . "$T/err1")"
grep -q '"error":"line 7: paid_at:' "$T/rej1.csv" || fail "the JSON Lines date problem is not in the rejects"
grep -q '"error":"line 11: unit_id: unknown unit' "$T/rej1.csv" ||
    fail "the JSON Lines reference problem is not in the rejects"
diff <(untimed "$T/out1") <(untimed "$T/out2") >/dev/null || { diff "$T/out1" "$T/out2"; fail "summaries differ"; }
cmp -s "$T/rej1.csv" "$T/rej2.csv" || { diff "$T/rej1.csv" "$T/rej2.csv" | head; fail "rejects files differ"; }
n=$(sqlite3 "$T/s1.db" "SELECT count(*) FROM ledger_events")
[ "$n" -gt 8000 ] || fail "only $n events"
q="SELECT count(*) FROM ledger_events a JOIN b.ledger_events x USING(seq)
   WHERE a.header = x.header AND a.leaf_hash = x.leaf_hash AND a.payload IS x.payload AND a.type = x.type"
same=$(sqlite3 "$T/s1.db" "ATTACH '$T/s2.db' AS b; $q")
[ "$same" = "$n" ] && [ "$(sqlite3 "$T/s2.db" "SELECT count(*) FROM ledger_events")" = "$n" ] ||
    fail "ledgers differ: $same of $n events identical"
# root for root: the roots at every multiple of 1,000 events and at the
# end, as `plumb proof consistency` prints and checks them
for size in $(seq 1000 1000 "$n"); do
    r1=$("$PLUMB" proof consistency "$size" "$n" --db "$T/s1.db" 2>&1 | head -n 2) || fail "root $size: $r1"
    r2=$("$PLUMB" proof consistency "$size" "$n" --db "$T/s2.db" 2>&1 | head -n 2)
    [ -n "$r1" ] && [ "$r1" = "$r2" ] || fail "roots at sizes $size and $n: $r1 vs $r2"
done
dump "$T/s1.db" >"$T/d1"
dump "$T/s2.db" >"$T/d2"
cmp -s "$T/d1" "$T/d2" || { diff "$T/d1" "$T/d2" | head -5; fail "the stores differ (projections)"; }
for mode in 1 2; do
    "$PLUMB" verify --db "$T/s$mode.db" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify ($mode)"; }
done
# The secondary indexes dropped for the rows of a fresh table are all back
# (docs/IMPORT.md "Batches": deferred indexes), with their definitions.
idx() { sqlite3 "$1" "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"; }
[ "$(idx "$T/base.db")" = "$(idx "$T/s2.db")" ] || { diff <(idx "$T/base.db") <(idx "$T/s2.db"); fail "indexes differ after the import"; }
[ "$(sqlite3 "$T/s2.db" "SELECT count(*) FROM payments INDEXED BY payments_unit WHERE unit_id > ''")" = \
    "$(sqlite3 "$T/s2.db" "SELECT count(*) FROM payments WHERE unit_id > ''")" ] || fail "payments_unit does not hold every payment"

# 2. Atomic: a bad row late in a file — one found by the producer (an
#    impossible date) and one by the writer (an unknown unit) — is the
#    same error in both modes, and the store is left as before.
B=$T/late
mkdir -p "$B/finance"
last=$(head -n 2000 "$T/gen/finance/payments.csv" | wc -l)
{
    head -n $((last - 2)) "$T/gen/finance/payments.csv"
    sed -n "$((last - 1))p" "$T/gen/finance/payments.csv" | awk -F, -v OFS=, '{ $2 = "U-LATE-NONE"; print }'
    sed -n "${last}p" "$T/gen/finance/payments.csv" | awk -F, -v OFS=, '{ $6 = "2023-13-01"; print }'
} >"$B/finance/payments.csv"
for mode in 1 2; do
    dump "$T/s$mode.db" >"$T/before$mode"
    PLUMB_IMPORT_THREADS=$mode "$PLUMB" import --all "$B" --db "$T/s$mode.db" --no-rules --lang en \
        >"$T/lout$mode" 2>"$T/lerr$mode"
    rc=$?
    [ $rc = 1 ] || fail "late bad row ($mode): exit $rc, want 1"
    dump "$T/s$mode.db" >"$T/after$mode"
    cmp -s "$T/before$mode" "$T/after$mode" || fail "a rejected batch changed the store ($mode)"
done
# and into a fresh store (its tables' indexes dropped for the rows): as before
fresh "$T/f.db"
dump "$T/f.db" >"$T/fbefore"
"$PLUMB" import --all "$B" --db "$T/f.db" --no-rules --lang en >/dev/null 2>&1 && fail "late bad row (fresh): exit 0"
dump "$T/f.db" >"$T/fafter"
cmp -s "$T/fbefore" "$T/fafter" || { diff "$T/fbefore" "$T/fafter" | head -5; fail "a rejected batch changed a fresh store"; }
cmp -s "$T/lerr1" "$T/lerr2" || { diff "$T/lerr1" "$T/lerr2"; fail "late errors differ"; }
grep -q "payments.csv:$((last - 1)):unit_id: unknown unit 'U-LATE-NONE'" "$T/lerr1" ||
    { cat "$T/lerr1"; fail "the writer's error does not name file:line:field"; }
grep -q "payments.csv:$last:paid_at" "$T/lerr1" ||
    { cat "$T/lerr1"; fail "the producer's error does not name file:line:field"; }
[ "$(grep -n "payments.csv:$((last - 1)):" "$T/lerr1" | cut -d: -f1)" -lt \
    "$(grep -n "payments.csv:$last:" "$T/lerr1" | cut -d: -f1)" ] || fail "errors out of order"
echo "import_pipe: 2 passed, 0 failed ($n events, $(grep -c . "$T/rej1.csv") rejects lines compared)"
