#!/bin/bash
# pg_import_second.sh — a second import into a filled PostgreSQL store (the
# E2E fixture's case: two generated areas, one after the other). The
# second batch reads each row's stored version by id before writing it;
# with the rows pending for COPY (pl_store_bulk), those point reads no
# longer send the pending rows first unless one of them has the id read
# (src/store/pg.c "Point reads in bulk mode"), and that must change
# nothing a user can see. Batch 1: the org files of 永顺县 (county, seed 7);
# batch 2: those of 湘西州 (prefecture --limit 1, seed 3), plus 100 of batch
# 1's persons again unchanged, 100 changed (name + 乙), one of batch 2's
# own persons (its 999th, written after the batch has read every id of
# persons: pg.c's id cache) three times with the same content (its second
# read must see the first, still pending, its third the first, sent by
# then: "unchanged" twice, one event) and one tenure of a
# batch-1 person at a batch-2 post. Expected: every count worked out from
# the CSV files here (rows per table, events per batch, the summary's
# new/changed/unchanged of persons, the changed names), and `plumb verify`
# clean (projections and derived tables equal to the replay). Speed is in
# docs/BENCHMARKS.md "PostgreSQL" (a test cannot assert it). Layer:
# tests/cli (store/pg.c bulk load, ingest).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT; [ -n "${KEEP:-}" ] && echo "$T"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning' PLUMB_KEY=$T/key
unset PLUMB_IMPORT_INCREMENTAL_ROWS PLUMB_PG_COPY

"$PLUMB" gen --scale county --seed 7 --out "$T/ga" --quiet >/dev/null 2>&1 || fail "gen a"
"$PLUMB" gen --scale prefecture --limit 1 --seed 3 --out "$T/gb" --quiet >/dev/null 2>&1 ||
    fail "gen b"
A=$T/a/org B=$T/b/org
mkdir -p "$A" "$B"
cp "$T"/ga/org/{units,posts,tenures,persons}.csv "$A/"
cp "$T"/gb/org/{units,posts,tenures}.csv "$B/"
P=$T/ga/org/persons.csv
{
    cat "$T/gb/org/persons.csv"
    sed -n '2,101p' "$P"                                        # again, unchanged
    sed -n '102,201p' "$P" | awk -F, -v OFS=, '{ $2 = $2 "乙"; print }' # changed
    sed -n '1000p' "$T/gb/org/persons.csv"                      # thrice in batch 2
    sed -n '1000p' "$T/gb/org/persons.csv"
} >"$B/persons.csv"
# a batch-1 person (not among the 200 above) at a batch-2 post
ap=$(sed -n '300p' "$P" | cut -d, -f1)
bp=$(sed -n '2p' "$B/posts.csv" | cut -d, -f1)
echo "T-SECOND-1,$ap,$bp,2026-01-05,," >>"$B/tenures.csv"
[ -n "$ap" ] && [ -n "$bp" ] || fail "setup: no person or post"

rows() { echo $(($(wc -l <"$1") - 1)); } # data lines of a CSV file
ids() { tail -n +2 "$1" | cut -d, -f1; }
# the hand counts: every id of a table once over both batches
for t in units posts tenures persons; do
    eval "want_$t=$(cat <(ids "$A/$t.csv") <(ids "$B/$t.csv") | sort -u | wc -l)"
done
ev1=$(($(rows "$A/units.csv") + $(rows "$A/posts.csv") + $(rows "$A/tenures.csv") +
    $(rows "$A/persons.csv")))
b_new_persons=$(($(rows "$T/gb/org/persons.csv")))
ev2=$(($(rows "$B/units.csv") + $(rows "$B/posts.csv") + $(rows "$B/tenures.csv") +
    b_new_persons + 100))
[ "$want_persons" = $(($(rows "$P") + b_new_persons)) ] || fail "setup: ids shared by the areas"
# names ending in 乙 after batch 2: those of the files before, and the 100
want_yi=$(($(cat <(tail -n +2 "$P") <(tail -n +2 "$T/gb/org/persons.csv") |
    cut -d, -f2 | grep -c '乙$') + 100))

U=$(pg_db pg_import_second) || exit 1
"$PLUMB" --state-dir "$T/side" init --db "$U" >/dev/null 2>&1 || fail "init"
q() { "$PLUMB" --state-dir "$T/side" sql --db "$U" "$1" || fail "sql: $1"; }
"$PLUMB" --state-dir "$T/side" import --all "$T/a" --db "$U" --no-rules --quiet \
    >"$T/out1" 2>"$T/err1" || { tail -5 "$T/err1"; fail "batch 1: exit $?"; }
n1=$(q "SELECT count(*) FROM ledger_events")
[ "$n1" = "$ev1" ] || fail "batch 1: $n1 events, want $ev1"
"$PLUMB" --state-dir "$T/side" import --all "$T/b" --db "$U" --no-rules --quiet \
    >"$T/out2" 2>"$T/err2" || { tail -5 "$T/err2"; fail "batch 2: exit $?"; }
n2=$(q "SELECT count(*) FROM ledger_events")
[ $((n2 - n1)) = "$ev2" ] || fail "batch 2: $((n2 - n1)) events, want $ev2"
for t in units posts tenures persons; do
    got=$(q "SELECT count(*) FROM $t")
    eval "want=\$want_$t"
    [ "$got" = "$want" ] || fail "$t: $got rows, want $want"
done
# persons: new, changed, unchanged, rejected
line=$(grep -E '^persons ' "$T/out2" | tr -s ' ')
[ "$line" = "persons $b_new_persons 100 102 0" ] ||
    { cat "$T/out2"; fail "batch 2 persons: '$line', want 'persons $b_new_persons 100 102 0'"; }
yi=$(q "SELECT count(*) FROM persons WHERE name LIKE '%乙'")
[ "$yi" = "$want_yi" ] || fail "names changed: $yi, want $want_yi"
got=$(q "SELECT person_id || ',' || post_id FROM tenures WHERE id = 'T-SECOND-1'")
[ "$got" = "$ap,$bp" ] || fail "the cross-batch tenure: '$got'"
# The batch-1 person now holds a batch-2 post: placed at its unit
bu=$(sed -n '2p' "$B/posts.csv" | cut -d, -f2)
got=$(q "SELECT count(*) FROM person_units WHERE person_id = '$ap' AND unit_id = '$bu'")
[ "$got" = 1 ] || fail "person_units: the cross-batch tenure's pair missing"
"$PLUMB" --state-dir "$T/side" verify --db "$U" >"$T/v" 2>&1 || { tail -5 "$T/v"; fail "verify"; }
echo "pg_import_second: ok ($n1 + $((n2 - n1)) events, counts as worked out, verify clean)"
