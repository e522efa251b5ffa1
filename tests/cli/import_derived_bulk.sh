#!/bin/bash
# import_derived_bulk.sh — the derived tables person_units (migration 0063)
# and persons_placed (0066) written once from their rule at the end of an
# import into a store where they and the tables they derive from (units
# aside) are empty, their row triggers dropped for the batch
# (src/ingest/import.c derived_defer; docs/IMPORT.md "Batches"), hold the
# rows the triggers write row by row (PLUMB_IMPORT_DERIVED_ROWS=1):
#  1. a small hand-written case — the examples' org and police files and
#     one more tenure — against the pairs written out below by the rule
#     (a holder at the unit of each post held, past ones too; a relative
#     at every unit of the holder's posts), three ways: one bulk batch,
#     row by row, and a bulk batch then a second batch into the filled
#     tables (the triggers' path);
#  2. the triggers are back after a bulk batch, definitions as `plumb init`
#     made them, and maintain a row written after it;
#  3. a rejected batch leaves the triggers and empty tables as before;
#  4. a county data set, both ways, the same clock and subject key: every
#     row of every table the same (ledger, projections, derived tables)
#     and `plumb verify` clean (it derives both tables again itself).
# Both engines (store_lib.sh; PostgreSQL's statement triggers stay in
# place, so there the three ways are the same path).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT; [ -n "${KEEP:-}" ] && echo "$T"
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=en
unset PLUMB_IMPORT_DERIVED_ROWS PLUMB_IMPORT_THREADS PLUMB_IMPORT_INCREMENTAL_ROWS

pairs() { store_sql "$1" "SELECT person_id || ' ' || unit_id FROM person_units ORDER BY 1"; }
placed() { store_sql "$1" "SELECT id FROM persons_placed ORDER BY id"; }
if [ "$STORE_PG" = 0 ]; then
    triggers() { store_sql "$1" "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"; }
else
    triggers() { store_sql "$1" "SELECT tgname || ': ' || pg_get_triggerdef(t.oid) FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND NOT t.tgisinternal ORDER BY tgname COLLATE \"C\""; }
fi

# 1. The examples (units U001–U003; posts P001@U001, P002 and P003@U002,
#    P004@U003; tenures 011X@P001, 022X@P002, 0337@P004; kin: 0442 and 0552
#    relatives of 011X; 0778 in persons, no post, no kin) and a past tenure
#    of 011X at P003 (U002). By the rule, by hand:
WANT_PAIRS='43312719700315011X U001
43312719700315011X U002
433127197208080442 U001
433127197208080442 U002
43312719750620022X U002
433127198001010337 U003
433127199805120552 U001
433127199805120552 U002'
WANT_PLACED='43312719700315011X
433127197208080442
43312719750620022X
433127198001010337
433127199805120552'
E=$T/ex
mkdir -p "$E"
cp -r "$PLUMB_SRC/examples/org" "$PLUMB_SRC/examples/police" "$E/"
rm -f "$E/police/registry_records.csv"
X=$T/extra
mkdir -p "$X/org"
printf 'id,person_id,post_id,start_date,end_date,decision_id\nT004,43312719700315011X,P003,2008-01-01,2012-04-30,\n' \
    >"$X/org/05_tenures.csv"
cp "$X/org/05_tenures.csv" "$E/org/05_tenures.csv"
INIT=$(store_new init) || exit 1
"$PLUMB" init --db "$INIT" >/dev/null 2>&1 || fail "init"
TRIG=$(triggers "$INIT")
echo "$TRIG" | grep -q '^person_units_tenure_ins: ' || fail "no person_units trigger after init: $TRIG"
echo "$TRIG" | grep -q '^persons_placed_pair_ins: ' || fail "no persons_placed trigger after init: $TRIG"
check() { # DB WAY: the hand-written pairs and persons placed
    [ "$(pairs "$1")" = "$WANT_PAIRS" ] || { diff <(echo "$WANT_PAIRS") <(pairs "$1"); fail "$2: person_units"; }
    [ "$(placed "$1")" = "$WANT_PLACED" ] || { diff <(echo "$WANT_PLACED") <(placed "$1"); fail "$2: persons_placed"; }
}
A=$(store_copy "$INIT" bulk) || fail "copy"
"$PLUMB" import --all "$E" --db "$A" --no-rules --quiet >/dev/null 2>"$T/err" || { cat "$T/err"; fail "bulk import"; }
[ "$(store_sql "$A" "SELECT count(*) FROM tenures")" = 4 ] || fail "the four tenures are not all imported"
check "$A" "one bulk batch"
R=$(store_copy "$INIT" rows) || fail "copy"
PLUMB_IMPORT_DERIVED_ROWS=1 "$PLUMB" import --all "$E" --db "$R" --no-rules --quiet >/dev/null 2>"$T/err" ||
    { cat "$T/err"; fail "row-by-row import"; }
check "$R" "row by row"
S=$(store_copy "$INIT" second) || fail "copy"
rm "$E/org/05_tenures.csv"
"$PLUMB" import --all "$E" --db "$S" --no-rules --quiet >/dev/null 2>"$T/err" || { cat "$T/err"; fail "first batch"; }
"$PLUMB" import --all "$X" --db "$S" --no-rules --quiet >/dev/null 2>"$T/err" || { cat "$T/err"; fail "second batch"; }
check "$S" "a bulk batch, then a second one"

# 2. The triggers as init made them, and at work: 0778 made a relative of
#    0337 (P004@U003) is placed at U003.
for db in "$A" "$S"; do
    [ "$(triggers "$db")" = "$TRIG" ] || { diff <(echo "$TRIG") <(triggers "$db"); fail "triggers after the import"; }
done
store_sql "$A" "INSERT INTO kin(id, person_id, relative_id, relation, ev_seq) VALUES('K-T1', '433127198001010337', '433127199009090778', 'child', 1)" >/dev/null ||
    fail "write kin"
[ "$(store_sql "$A" "SELECT count(*) FROM person_units WHERE person_id = '433127199009090778' AND unit_id = 'U003'")" = 1 ] ||
    fail "a kin row written after the bulk import did not place its relative"
[ "$(store_sql "$A" "SELECT count(*) FROM persons_placed WHERE id = '433127199009090778'")" = 1 ] ||
    fail "persons_placed did not follow person_units after the bulk import"

# 3. A rejected batch into empty tables: nothing written, the triggers as before.
B=$(store_copy "$INIT" rejected) || fail "copy"
cp -r "$E" "$T/bad"
printf 'T-BAD,43312719700315011X,P-NONE,2020-01-01,,\n' >>"$T/bad/org/04_tenures.csv"
"$PLUMB" import --all "$T/bad" --db "$B" --no-rules --quiet >/dev/null 2>&1 && fail "a bad row was accepted"
for t in tenures persons person_units persons_placed; do
    [ "$(store_sql "$B" "SELECT count(*) FROM $t")" = 0 ] || fail "a rejected batch wrote $t"
done
[ "$(triggers "$B")" = "$TRIG" ] || { diff <(echo "$TRIG") <(triggers "$B"); fail "triggers after a rejected import"; }

# 4. A county data set's people (org and police, 3,000 rows a file), both
#    ways, the same clock and subject key: the same rows everywhere.
export PLUMB_NOW=2026-01-01T00:00:00Z
"$PLUMB" gen --scale county --seed 5 --out "$T/gen" --quiet >/dev/null 2>&1 || fail "gen"
D=$T/data
for f in "$T"/gen/org/*.csv "$T"/gen/police/*.csv; do
    s=$(basename "$(dirname "$f")")
    mkdir -p "$D/$s"
    head -n 3001 "$f" >"$D/$s/$(basename "$f")"
done
store_sql "$INIT" "INSERT INTO plumb_meta(key, value) VALUES('ledger_subject_key', '$(printf '%064d' 5)')" >/dev/null ||
    fail "subject key"
C1=$(store_copy "$INIT" c1) && C2=$(store_copy "$INIT" c2) || fail "copies"
"$PLUMB" import --all "$D" --partial --rejects "$T/rej1.csv" --db "$C1" --no-rules --quiet >/dev/null 2>"$T/err" ||
    { tail -3 "$T/err"; fail "county, bulk"; }
PLUMB_IMPORT_DERIVED_ROWS=1 "$PLUMB" import --all "$D" --partial --rejects "$T/rej2.csv" --db "$C2" --no-rules --quiet \
    >/dev/null 2>"$T/err" || { tail -3 "$T/err"; fail "county, row by row"; }
n=$(store_sql "$C1" "SELECT count(*) FROM person_units")
[ "$n" -gt 1000 ] || fail "the county import placed only $n pairs"
[ "$(store_sql "$C1" "SELECT count(*) FROM persons_placed")" -gt 1000 ] || fail "few persons placed"
for t in person_units persons_placed; do
    c=$(store_cols "$C1" $t)
    store_sql "$C1" "SELECT $c FROM $t ORDER BY 1, 2" >"$T/b"
    store_sql "$C2" "SELECT $c FROM $t ORDER BY 1, 2" >"$T/r"
    cmp -s "$T/b" "$T/r" || { diff "$T/b" "$T/r" | head -5; fail "county: $t differs"; }
done
store_dump "$C1" >"$T/d1"
store_dump "$C2" >"$T/d2"
cmp -s "$T/d1" "$T/d2" || { diff "$T/d1" "$T/d2" | head -5; fail "county: the stores differ"; }
[ "$(triggers "$C1")" = "$TRIG" ] || fail "county: triggers after the import"
"$PLUMB" verify --db "$C1" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify after the bulk import"; }
echo "ok"
