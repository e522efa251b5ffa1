#!/bin/bash
# pg_copy_import.sh — on PostgreSQL the import batch writes its ledger and
# projection rows by COPY (pl_store_bulk, issue #20 item 3), and that
# changes nothing a user can see: the same files imported by COPY (the
# default) and row by row (PLUMB_PG_COPY=0) into two databases give the
# same ledger, event for event (type, header, leaf hash, payload) and root
# for root (`plumb proof consistency` at every 1,000 events), the same
# stored Merkle nodes, the same projections and derived tables (each table
# read back whole, in key order), the same problems and summaries. A
# second batch into the filled store (upserts of rows that exist, read
# before each write) is the same both ways too, and `plumb verify` is
# clean on both after it. A batch whose last row is bad is refused with
# the same file:line:field error both ways and leaves the database exactly
# as before; so does one that only the database refuses (a trigger of the
# test's own refuses the 500th payment: the error comes from the COPY's
# flush instead of the row's INSERT), with one line and the SQLSTATE, and
# one of clues refused in a flush sent as a pipeline (the same line as
# without the pipeline, PLUMB_PG_PIPELINE=0).
# The row-by-row path is the reference (tests/cli/pg_import.sh compares it
# with SQLite). Layer: tests/cli (store/pg.c bulk load, ingest).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT; [ -n "${KEEP:-}" ] && echo "$T"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_IMPORT_INCREMENTAL_ROWS PLUMB_PG_COPY
# One clock and one subject key for both stores: a header carries the time
# and the keyed handles of its subjects.
export PLUMB_NOW=2026-01-01T00:00:00Z
"$PLUMB" gen --scale county --seed 7 --out "$T/gen" --quiet >/dev/null 2>&1 || fail "gen"
# The first 1,000 records of each source (some refer to rows left out:
# rejected), with --partial: rows and problems interleaved.
D=$T/data
for f in "$T"/gen/*/*.csv; do
    s=$(basename "$(dirname "$f")")
    [ "$s" = bad ] && continue
    mkdir -p "$D/$s"
    head -n 1001 "$f" >"$D/$s/$(basename "$f")"
done
# The second batch: the next 1,000 payments and persons, and 200 of the
# first batch's persons again, 100 of them changed (an upsert of a row that
# is there).
D2=$T/data2
mkdir -p "$D2/finance" "$D2/org"
{ head -n 1 "$T/gen/finance/payments.csv"; sed -n '1002,2001p' "$T/gen/finance/payments.csv"; } \
    >"$D2/finance/payments.csv"
P=$(ls "$T"/gen/org/*persons*.csv | head -n 1)
{
    head -n 1 "$P"
    sed -n '2,101p' "$P"
    sed -n '102,201p' "$P" | awk -F, -v OFS=, '{ $2 = $2 "乙"; print }'
    sed -n '1002,2001p' "$P"
} >"$D2/org/$(basename "$P")"

U1=$(pg_db pg_copy_1) || exit 1
U0=$(pg_db pg_copy_0) || exit 1
SK=$(printf '%064d' 7)
for m in 1 0; do
    eval "u=\$U$m"
    PLUMB_KEY=$T/k$m "$PLUMB" init --db "$u" >/dev/null 2>&1 || fail "init $m"
    "$PLUMB" sql --db "$u" "INSERT INTO plumb_meta(key, value) VALUES('ledger_subject_key', '$SK')" \
        >/dev/null || fail "subject key $m"
done
untimed() { sed -E -e 's/, [0-9.]+ s \([0-9]+ rows\/s\)$//' -e 's/rej[01]\.csv/rej.csv/' "$1"; }
# Every table of the store, whole, in a fixed order (the row key row_no
# left out: a sequence, not part of the content).
dump() { # two connections in all: the first writes the SELECTs
    local cols="(SELECT string_agg(c.column_name, ',' ORDER BY c.ordinal_position)
        FROM information_schema.columns c WHERE c.table_schema = t.table_schema
        AND c.table_name = t.table_name AND c.column_name <> 'row_no')"
    "$PLUMB" sql --db "$1" "SELECT string_agg('SELECT ''== ' || t.table_name || '''; SELECT ' ||
            $cols || ' FROM ' || t.table_name || ' ORDER BY ' || $cols, '; ' ORDER BY t.table_name)
        FROM information_schema.tables t WHERE t.table_schema = current_schema()
        AND t.table_type = 'BASE TABLE' AND t.table_name NOT IN ('schema_migrations', 'plumb_meta')" \
        >"$T/dump.sql" || fail "dump: tables"
    "$PLUMB" sql --db "$1" - <"$T/dump.sql" || fail "dump"
    # (not the log's verifier key: each store has its own)
    "$PLUMB" sql --db "$1" "SELECT key, value FROM plumb_meta WHERE key <> 'ledger_verifier_key' ORDER BY key"
}
batch() { # batch DIR TAG: import DIR into both databases, compare
    for m in 1 0; do
        eval "u=\$U$m"
        PLUMB_PG_COPY=$m PLUMB_KEY=$T/k$m "$PLUMB" import --all "$1" --partial \
            --rejects "$T/rej$m.csv" --db "$u" --no-rules --lang en >"$T/out$m" 2>"$T/err$m"
        echo $? >"$T/rc$m"
    done
    [ "$(cat "$T/rc1")" = 0 ] && [ "$(cat "$T/rc0")" = 0 ] ||
        { cat "$T/err1" "$T/err0" | tail -5; fail "$2: exit $(cat "$T/rc1") (COPY) / $(cat "$T/rc0")"; }
    cmp -s "$T/err1" "$T/err0" || { diff "$T/err1" "$T/err0" | head; fail "$2: problems differ"; }
    diff <(untimed "$T/out1") <(untimed "$T/out0") >/dev/null ||
        { diff "$T/out1" "$T/out0"; fail "$2: summaries differ"; }
    cmp -s "$T/rej1.csv" "$T/rej0.csv" || fail "$2: rejects differ"
    n=$("$PLUMB" sql --db "$U0" "SELECT count(*) FROM ledger_events")
    n1=$("$PLUMB" sql --db "$U1" "SELECT count(*) FROM ledger_events")
    [ "$n" = "$n1" ] || fail "$2: $n1 events by COPY, $n row by row"
    for size in $(seq 1000 1000 "$n") "$n"; do
        r1=$("$PLUMB" proof consistency "$size" "$n" --db "$U1" 2>&1 | head -n 2) || fail "$2: root $size: $r1"
        r0=$("$PLUMB" proof consistency "$size" "$n" --db "$U0" 2>&1 | head -n 2)
        [ -n "$r1" ] && [ "$r1" = "$r0" ] || fail "$2: roots at sizes $size and $n: $r1 vs $r0"
    done
    dump "$U1" >"$T/d1"
    dump "$U0" >"$T/d0"
    grep -q '^== ledger_events' "$T/d0" && grep -q '^== persons_placed' "$T/d0" || fail "$2: dump"
    cmp -s "$T/d1" "$T/d0" || { diff "$T/d1" "$T/d0" | head -5; fail "$2: the stores differ"; }
    echo "$n"
}
n=$(batch "$D" "first batch") || { echo "$n"; exit 1; }
[ "$n" -gt 8000 ] || fail "only $n events"
[ "$(grep -c . "$T/err1")" -gt 20 ] || fail "too few problems to compare: $(grep -c . "$T/err1")"
n2=$(batch "$D2" "second batch") || { echo "$n2"; exit 1; }
[ "$n2" -gt $((n + 1000)) ] || fail "second batch: only $((n2 - n)) events"
for m in 1 0; do
    eval "u=\$U$m"
    PLUMB_KEY=$T/k$m "$PLUMB" verify --db "$u" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify ($m)"; }
done

# A bad row late in a file: the same error both ways, nothing written.
B=$T/late
mkdir -p "$B/finance"
{
    head -n 1 "$T/gen/finance/payments.csv"
    sed -n '2002,2999p' "$T/gen/finance/payments.csv"
    sed -n '3000p' "$T/gen/finance/payments.csv" | awk -F, -v OFS=, '{ $2 = "U-LATE-NONE"; print }'
} >"$B/finance/payments.csv"
for m in 1 0; do
    eval "u=\$U$m"
    dump "$u" >"$T/before$m"
    PLUMB_PG_COPY=$m PLUMB_KEY=$T/k$m "$PLUMB" import --all "$B" --db "$u" --no-rules --lang en \
        >/dev/null 2>"$T/lerr$m"
    rc=$?
    [ $rc = 1 ] || fail "late bad row ($m): exit $rc, want 1"
    dump "$u" >"$T/after$m"
    cmp -s "$T/before$m" "$T/after$m" || fail "a rejected batch changed the store ($m)"
done
cmp -s "$T/lerr1" "$T/lerr0" || { diff "$T/lerr1" "$T/lerr0"; fail "late errors differ"; }
grep -q "payments.csv:1000:unit_id: unknown unit 'U-LATE-NONE'" "$T/lerr1" ||
    { cat "$T/lerr1"; fail "the error does not name file:line:field"; }

# A batch only the database refuses: a trigger of the test's own refuses
# the 500th payment the batch writes (in both ways the rows are written in
# the same order), standing for any constraint a COPY can break. Both ways
# fail with the same one line naming the SQLSTATE (a store error: exit 2,
# docs/RELIABILITY.md), and nothing is written.
B2=$T/dbbad
mkdir -p "$B2/finance"
{ head -n 1 "$T/gen/finance/payments.csv"; sed -n '2002,2999p' "$T/gen/finance/payments.csv"; } \
    >"$B2/finance/payments.csv"
for m in 1 0; do
    eval "u=\$U$m"
    "$PLUMB" sql --db "$u" "CREATE SEQUENCE pl_test_n;
        CREATE FUNCTION pl_test_refuse() RETURNS trigger LANGUAGE plpgsql AS
        \$\$ BEGIN IF nextval('pl_test_n') = 500 THEN
        RAISE EXCEPTION 'refused by the test' USING ERRCODE = '23514'; END IF; RETURN NEW; END \$\$;
        CREATE TRIGGER pl_test_refuse BEFORE INSERT ON payments FOR EACH ROW
        EXECUTE FUNCTION pl_test_refuse()" >/dev/null || fail "trigger ($m)"
    dump "$u" >"$T/before$m"
    PLUMB_PG_COPY=$m PLUMB_KEY=$T/k$m "$PLUMB" import --all "$B2" --partial --db "$u" --no-rules \
        --lang en >/dev/null 2>"$T/derr$m"
    echo $? >"$T/drc$m"
    grep -q "refused by the test (SQLSTATE 23514)" "$T/derr$m" ||
        { cat "$T/derr$m"; fail "database refusal ($m): no SQLSTATE in the error"; }
    dump "$u" >"$T/after$m"
    cmp -s "$T/before$m" "$T/after$m" || fail "a batch the database refused changed the store ($m)"
done
[ "$(cat "$T/drc1")" = 2 ] && [ "$(cat "$T/drc0")" = 2 ] ||
    fail "database refusal: exit $(cat "$T/drc1") (COPY) / $(cat "$T/drc0"), want 2"
# One line each, the database's words and SQLSTATE in both; the row-by-row
# line also names the event ("event N (payment.recorded): …"), the COPY's
# names the operation that sent the rows (docs/DEPLOY.md: the refusal is
# reported by the statement that sends the pending rows, a COPY or, for a
# few rows, their INSERTs).
for m in 1 0; do
    grep -v '^/' "$T/derr$m" >"$T/dl$m"
    [ "$(grep -c . "$T/dl$m")" = 1 ] || { cat "$T/dl$m"; fail "database refusal ($m): not one line"; }
done
grep -q "^plumb: event [0-9]* (payment.recorded): .*: refused by the test (SQLSTATE 23514)$" "$T/dl0" ||
    { cat "$T/dl0"; fail "database refusal (row by row): not the event's error"; }

# A refusal in a pipelined flush: a case import flushes a few rows of
# several tables before each of its reads, sent as one libpq pipeline
# (bulk_pipeline in src/store/pg.c). A trigger refuses the 100th new clue;
# the batch fails with the same line with the pipeline and without it
# (PLUMB_PG_PIPELINE=0: one round trip a row), the database's words and
# SQLSTATE in it, exit 2, nothing written; row by row too.
B3=$T/cluebad
mkdir -p "$B3/clues"
{ head -n 1 "$T/gen/clues/clues.csv"; sed -n '2,301p' "$T/gen/clues/clues.csv" | sed 's/^Q/QX/'; } \
    >"$B3/clues/clues.csv"
for m in 1 0; do
    eval "u=\$U$m"
    "$PLUMB" sql --db "$u" "CREATE FUNCTION pl_test_refuse_clue() RETURNS trigger LANGUAGE plpgsql AS
        \$\$ BEGIN IF (SELECT count(*) FROM clues WHERE id LIKE 'QX%') = 99 THEN
        RAISE EXCEPTION 'clue refused by the test' USING ERRCODE = '23514'; END IF;
        RETURN NEW; END \$\$;
        CREATE TRIGGER pl_test_refuse_clue BEFORE INSERT ON clues FOR EACH ROW
        EXECUTE FUNCTION pl_test_refuse_clue()" >/dev/null || fail "clue trigger ($m)"
done
dump "$U1" >"$T/before1"
dump "$U0" >"$T/before0"
for p in 1 0; do
    PLUMB_PG_PIPELINE=$p PLUMB_KEY=$T/k1 "$PLUMB" import --all "$B3" --partial --db "$U1" \
        --no-rules --lang en >/dev/null 2>"$T/cerr$p"
    echo $? >"$T/crc$p"
    dump "$U1" >"$T/after1"
    cmp -s "$T/before1" "$T/after1" || fail "a clue batch the database refused changed the store ($p)"
done
PLUMB_PG_COPY=0 PLUMB_KEY=$T/k0 "$PLUMB" import --all "$B3" --partial --db "$U0" --no-rules \
    --lang en >/dev/null 2>"$T/cerrr"
echo $? >"$T/crcr"
dump "$U0" >"$T/after0"
cmp -s "$T/before0" "$T/after0" || fail "a clue batch the database refused changed the store (row by row)"
for f in 1 0 r; do
    [ "$(cat "$T/crc$f")" = 2 ] || { cat "$T/cerr$f"; fail "clue refusal ($f): exit $(cat "$T/crc$f"), want 2"; }
    grep -q "clue refused by the test (SQLSTATE 23514)" "$T/cerr$f" ||
        { cat "$T/cerr$f"; fail "clue refusal ($f): no SQLSTATE in the error"; }
done
cmp -s "$T/cerr1" "$T/cerr0" || { diff "$T/cerr1" "$T/cerr0"; fail "clue refusal: pipelined and one by one differ"; }
echo "pg_copy_import: ok ($n2 events, 2 batches the same by COPY and row by row; 3 refusals)"
