#!/bin/bash
# pg_link.sh — the person linkage on PostgreSQL (issue #19 item 3; the
# portable-SQL rule): the persons and kin of tests/data/link imported into
# a SQLite file and a PostgreSQL database, `plumb link run`, a judgement,
# a second run; person_links, the review queue (JSON) and the ledger's
# link events are the same on both engines, and the scores are the ones
# computed by hand in link_review.sh (1715 linked, 560 review).
# Layer: tests/cli (src/link/store.c, migrations 0129 both dialects).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning' PLUMB_NOW=2026-03-02T00:00:00Z
unset PLUMB_KEY
cd "$T" || exit 2
D=$PLUMB_SRC/tests/data/link
U=$("$PLUMB_SRC/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" pg_link) || fail createdb
S=$T/state
L1=433127197503042027 L2=43312719750403204X
for db in "$U" lite.db; do
    st=$S
    [ "$db" = lite.db ] && st=
    export PLUMB_STATE_DIR=$st
    "$PLUMB" init --db "$db" >init.out 2>&1 || fail "init $db: $(cat init.out)"
    "$PLUMB" import --db "$db" --source police "$D/persons.csv" "$D/kin.csv" --quiet --no-rules >imp.out 2>&1 ||
        fail "import $db: $(cat imp.out)"
    "$PLUMB" link run --db "$db" >run.out 2>&1 || fail "link run $db: $(cat run.out)"
    "$PLUMB" link review --db "$db" --json >"queue-${db##*/}.json" 2>&1 || fail "review list $db"
    "$PLUMB" link review --db "$db" $L1 $L2 not_same --reason r >/dev/null 2>&1 || fail "judge $db"
    if "$PLUMB" link review --db "$db" $L1 $L2 maybe >/dev/null 2>&1; then fail "bad judgement accepted on $db"; fi
    "$PLUMB" link run --db "$db" >run2.out 2>&1 || fail "second run $db: $(cat run2.out)"
    grep -q "judged (skipped) 1" run2.out || fail "second run on $db: $(cat run2.out)"
    "$PLUMB" sql --db "$db" "SELECT a, b, status, score_centibits, features, judged_by, reason FROM person_links ORDER BY a, b" \
        >"links-${db##*/}.txt" || fail "sql $db"
    "$PLUMB" sql --db "$db" "SELECT type, COUNT(*) FROM ledger_events WHERE type LIKE 'link.%' GROUP BY type ORDER BY type" \
        >"events-${db##*/}.txt" || fail "events $db"
done
unset PLUMB_STATE_DIR
PGF=${U##*/}
cmp -s "links-$PGF.txt" links-lite.db.txt || fail "person_links differ: $(diff "links-$PGF.txt" links-lite.db.txt)"
cmp -s "queue-$PGF.json" queue-lite.db.json || fail "queue differs: $(diff "queue-$PGF.json" queue-lite.db.json)"
cmp -s "events-$PGF.txt" events-lite.db.txt || fail "events differ"
cut -d'|' -f1-4 links-lite.db.txt | grep -qx "$L1|$L2|not_same|560" || fail "review pair: $(cat links-lite.db.txt)"
cut -d'|' -f3-4 links-lite.db.txt | grep -qx "linked|1715" || fail "linked pair: $(cat links-lite.db.txt)"
[ "$(cat events-lite.db.txt)" = "link.judged|1
link.proposed|2" ] || fail "events: $(cat events-lite.db.txt)"
# verify replays person_links on PostgreSQL too
PLUMB_STATE_DIR=$S "$PLUMB" verify --db "$U" >verify.out 2>&1 || fail "verify on PostgreSQL: $(cat verify.out)"
echo OK
