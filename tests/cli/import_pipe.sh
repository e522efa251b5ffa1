#!/bin/bash
# import_pipe.sh — the pipelined import (the default) and the
# single-threaded one (PLUMB_IMPORT_THREADS=1) give the same store: the same
# ledger root for root (every header, leaf hash, payload and stored node),
# the same projections (the whole database dumped), the same problems in
# the same order (stderr), the same rejects file and counts; and a bad row
# late in a file is the same error (file:line:field) in both, with the
# store left exactly as before (docs/IMPORT.md "Pipelined import").
# Both engines (store_lib.sh).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT; [ -n "${KEEP:-}" ] && echo "$T"
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
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

BASE=$(store_new base) || exit 1
"$PLUMB" init --db "$BASE" >/dev/null 2>&1 || fail "init"
store_sql "$BASE" "INSERT INTO plumb_meta(key, value) VALUES('ledger_subject_key', '$(printf '%064d' 7)')" ||
    fail "subject key"
fresh() { store_copy "$BASE" "$1"; } # NAME → a copy of base: its --db
# summary lines without the timing ("... 1.23 s (4567 rows/s)")
untimed() { sed -E -e 's/, [0-9.]+ s \([0-9]+ rows\/s\)$//' -e 's/rej[12]\.csv/rej.csv/' "$1"; }
dump() { store_dump "$1"; }

# 1. The same files, --partial, both ways; and pipelined with the store's
#    bulk load off (3: PLUMB_SQLITE_BULK=0, PLUMB_PG_COPY=0: row-by-row
#    inserts instead of multi-row INSERTs or COPY, docs/IMPORT.md "Bulk
#    load"). The pipelined run with bulk load on prints its statistics
#    (PLUMB_IMPORT_STATS, left out of the comparisons): every batch
#    arena's memory went back (docs/IMPORT.md "Batch arenas"), and on
#    SQLite rows were gathered.
S1=$(fresh s1) && S2=$(fresh s2) && S3=$(fresh s3) || fail "copies of base"
for mode in 1 2 3; do
    S=S$mode
    envs=(PLUMB_IMPORT_THREADS=$((mode == 1 ? 1 : 2)))
    [ $mode = 2 ] && envs+=(PLUMB_IMPORT_STATS=1)
    [ $mode = 3 ] && envs+=(PLUMB_SQLITE_BULK=0 PLUMB_PG_COPY=0)
    env "${envs[@]}" "$PLUMB" import --all "$D" --partial --rejects "$T/rej$mode.csv" \
        --db "${!S}" --no-rules --lang en >"$T/out$mode" 2>"$T/err$mode.raw"
    echo $? >"$T/rc$mode"
    grep -Ev '^(import|store): ' "$T/err$mode.raw" >"$T/err$mode"
done
[ "$(cat "$T/rc1")" = 0 ] && [ "$(cat "$T/rc2")" = 0 ] && [ "$(cat "$T/rc3")" = 0 ] ||
    { cat "$T/err2"; fail "partial import exit $(cat "$T/rc1") / $(cat "$T/rc2") / $(cat "$T/rc3")"; }
grep -Eq '^import: batch arenas [1-9][0-9]* .*arenas kept 0,' "$T/err2.raw" ||
    { grep '^import:' "$T/err2.raw"; fail "batch arenas: none made, or some kept past their batch"; }
if [ "$STORE_PG" = 0 ]; then
    grep -Eq '^store: bulk load: [1-9][0-9]* rows gathered' "$T/err2.raw" ||
        { grep '^store:' "$T/err2.raw"; fail "bulk load on: no rows gathered"; }
fi
grep -q '^store: bulk load' "$T/err3.raw" && fail "bulk load off: rows gathered"
cmp -s "$T/err1" "$T/err3" || { diff "$T/err1" "$T/err3" | head; fail "problems differ with bulk load off"; }
cmp -s "$T/rej1.csv" "$T/rej3.csv" || fail "rejects files differ with bulk load off"
cmp -s "$T/err1" "$T/err2" || { diff "$T/err1" "$T/err2" | head; fail "problems differ (order or text)"; }
# stderr shows the first 1,000 problems; the rejects file has every
# rejected record with its problems, in order
[ "$(grep -c . "$T/err1")" -gt 100 ] || fail "too few problems to compare: $(grep -c . "$T/err1")"
grep -q '"error":"line 7: paid_at:' "$T/rej1.csv" || fail "the JSON Lines date problem is not in the rejects"
grep -q '"error":"line 11: unit_id: unknown unit' "$T/rej1.csv" ||
    fail "the JSON Lines reference problem is not in the rejects"
diff <(untimed "$T/out1") <(untimed "$T/out2") >/dev/null || { diff "$T/out1" "$T/out2"; fail "summaries differ"; }
cmp -s "$T/rej1.csv" "$T/rej2.csv" || { diff "$T/rej1.csv" "$T/rej2.csv" | head; fail "rejects files differ"; }
n=$(store_sql "$S1" "SELECT count(*) FROM ledger_events")
[ "$n" -gt 8000 ] || fail "only $n events"
# every event, its header, leaf hash, payload and type, one line each
events() { store_sql "$1" "SELECT seq, type, header, leaf_hash, payload IS NULL, payload FROM ledger_events ORDER BY seq" >"$2"; }
events "$S1" "$T/ev1" && events "$S2" "$T/ev2" || fail "read the ledgers"
cmp -s "$T/ev1" "$T/ev2" && [ "$(store_sql "$S2" "SELECT count(*) FROM ledger_events")" = "$n" ] ||
    { cmp "$T/ev1" "$T/ev2"; fail "ledgers differ"; }
events "$S3" "$T/ev3" || fail "read the ledger (bulk load off)"
cmp -s "$T/ev1" "$T/ev3" || { cmp "$T/ev1" "$T/ev3"; fail "ledgers differ with bulk load off"; }
# root for root: the roots at every multiple of 1,000 events and at the
# end, as `plumb proof consistency` prints and checks them
for size in $(seq 1000 1000 "$n"); do
    r1=$("$PLUMB" proof consistency "$size" "$n" --db "$S1" 2>&1 | head -n 2) || fail "root $size: $r1"
    r2=$("$PLUMB" proof consistency "$size" "$n" --db "$S2" 2>&1 | head -n 2)
    [ -n "$r1" ] && [ "$r1" = "$r2" ] || fail "roots at sizes $size and $n: $r1 vs $r2"
done
r1=$("$PLUMB" proof consistency 1000 "$n" --db "$S1" 2>&1 | head -n 2)
r3=$("$PLUMB" proof consistency 1000 "$n" --db "$S3" 2>&1 | head -n 2)
[ -n "$r1" ] && [ "$r1" = "$r3" ] || fail "roots with bulk load off: $r1 vs $r3"
dump "$S1" >"$T/d1"
dump "$S2" >"$T/d2"
dump "$S3" >"$T/d3"
# (PostgreSQL: pg_dump writes a table's rows in their physical order, which
# COPY and row-by-row inserts, and the derived tables' statement-level
# triggers fed by either, need not leave the same — nor, once in a fresh
# clone's run, the pipelined and the single-threaded import: the same
# lines, sorted)
for d in d1 d2 d3; do
    if [ "$STORE_PG" = 1 ]; then sort "$T/$d" >"$T/${d}c"; else cp "$T/$d" "$T/${d}c"; fi
done
cmp -s "$T/d1c" "$T/d2c" || { diff "$T/d1c" "$T/d2c" | head -5; fail "the stores differ (projections)"; }
cmp -s "$T/d1c" "$T/d3c" || { diff "$T/d1c" "$T/d3c" | head -5; fail "the stores differ with bulk load off"; }
for mode in 1 2; do
    S=S$mode
    "$PLUMB" verify --db "${!S}" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify ($mode)"; }
done
# The secondary indexes dropped for the rows of a fresh table are all back
# (docs/IMPORT.md "Batches": deferred indexes), with their definitions.
if [ "$STORE_PG" = 0 ]; then
    idx() { store_sql "$1" "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"; }
    via_unit() { store_sql "$1" "SELECT count(*) FROM payments INDEXED BY payments_unit WHERE unit_id > ''"; }
else # the catalog's definitions; the count read through the index: sequential
    # scans priced out and payments_unit_id (unit_id, id), which the planner
    # prefers, dropped in a transaction rolled back (no INDEXED BY there)
    idx() { store_sql "$1" "SELECT indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname COLLATE \"C\""; }
    via_unit() {
        local q="SELECT count(*) FROM payments WHERE unit_id > ''" out
        out=$(store_sql "$1" "BEGIN; DROP INDEX payments_unit_id; SET LOCAL enable_seqscan = off;
            EXPLAIN $q; $q; ROLLBACK") || { echo "plan: $out"; return; }
        grep -Eq "Index.* using payments_unit on payments|Bitmap Index Scan on payments_unit " <<<"$out" || { echo "plan does not read payments_unit: $out"; return; }
        tail -n 1 <<<"$out"
    }
fi
[ "$(idx "$BASE")" = "$(idx "$S2")" ] || { diff <(idx "$BASE") <(idx "$S2"); fail "indexes differ after the import"; }
[ "$(via_unit "$S2")" = "$(store_sql "$S2" "SELECT count(*) FROM payments WHERE unit_id > ''")" ] ||
    fail "payments_unit does not hold every payment: $(via_unit "$S2")"

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
    S=S$mode
    store_digest "${!S}" >"$T/before$mode"
    PLUMB_IMPORT_THREADS=$mode "$PLUMB" import --all "$B" --db "${!S}" --no-rules --lang en \
        >"$T/lout$mode" 2>"$T/lerr$mode"
    rc=$?
    [ $rc = 1 ] || fail "late bad row ($mode): exit $rc, want 1"
    store_digest "${!S}" >"$T/after$mode"
    cmp -s "$T/before$mode" "$T/after$mode" || fail "a rejected batch changed the store ($mode)"
done
# and into a fresh store (its tables' indexes dropped for the rows): as before
F=$(fresh f) || fail "copy f"
store_digest "$F" >"$T/fbefore"
"$PLUMB" import --all "$B" --db "$F" --no-rules --lang en >/dev/null 2>&1 && fail "late bad row (fresh): exit 0"
store_digest "$F" >"$T/fafter"
cmp -s "$T/fbefore" "$T/fafter" || fail "a rejected batch changed a fresh store"
cmp -s "$T/lerr1" "$T/lerr2" || { diff "$T/lerr1" "$T/lerr2"; fail "late errors differ"; }
grep -q "payments.csv:$((last - 1)):unit_id: unknown unit 'U-LATE-NONE'" "$T/lerr1" ||
    { cat "$T/lerr1"; fail "the writer's error does not name file:line:field"; }
grep -q "payments.csv:$last:paid_at" "$T/lerr1" ||
    { cat "$T/lerr1"; fail "the producer's error does not name file:line:field"; }
[ "$(grep -n "payments.csv:$((last - 1)):" "$T/lerr1" | cut -d: -f1)" -lt \
    "$(grep -n "payments.csv:$last:" "$T/lerr1" | cut -d: -f1)" ] || fail "errors out of order"
echo "import_pipe: 2 passed, 0 failed ($n events, $(grep -c . "$T/rej1.csv") rejects lines compared)"
