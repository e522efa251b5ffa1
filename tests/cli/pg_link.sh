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
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning' PLUMB_NOW=2026-03-02T00:00:00Z
unset PLUMB_KEY
cd "$T" || exit 2
D=$PLUMB_SRC/tests/data/link
U=$(pg_db pg_link) || exit 1
S=$T/state
L1=433127197503042027 L2=43312719750403204X
for db in "$U" lite.db; do
    st=$S name=postgresql # (the URL holds the cluster's password: kept out of the log)
    [ "$db" = lite.db ] && st= name=sqlite
    export PLUMB_STATE_DIR=$st
    "$PLUMB" init --db "$db" >init.out 2>&1 || fail "init $name: $(cat init.out)"
    "$PLUMB" import --db "$db" --source police "$D/persons.csv" "$D/kin.csv" --quiet --no-rules >imp.out 2>&1 ||
        fail "import $name: $(cat imp.out)"
    "$PLUMB" link run --db "$db" >run.out 2>&1 || fail "link run $name: $(cat run.out)"
    "$PLUMB" link review --db "$db" --json >"queue-$name.json" 2>&1 || fail "review list $name"
    "$PLUMB" link review --db "$db" $L1 $L2 not_same --reason r >/dev/null 2>&1 || fail "judge $name"
    if "$PLUMB" link review --db "$db" $L1 $L2 maybe >/dev/null 2>&1; then fail "bad judgement accepted on $name"; fi
    "$PLUMB" link run --db "$db" >run2.out 2>&1 || fail "second run $name: $(cat run2.out)"
    grep -q "judged (skipped) 1" run2.out || fail "second run on $name: $(cat run2.out)"
    "$PLUMB" sql --db "$db" "SELECT a, b, status, score_centibits, features, judged_by, reason FROM person_links ORDER BY a, b" \
        >"links-$name.txt" || fail "sql $name"
    "$PLUMB" sql --db "$db" "SELECT type, COUNT(*) FROM ledger_events WHERE type LIKE 'link.%' GROUP BY type ORDER BY type" \
        >"events-$name.txt" || fail "events $name"
done
unset PLUMB_STATE_DIR
cmp -s links-postgresql.txt links-sqlite.txt || fail "person_links differ: $(diff links-postgresql.txt links-sqlite.txt)"
cmp -s queue-postgresql.json queue-sqlite.json || fail "queue differs: $(diff queue-postgresql.json queue-sqlite.json)"
cmp -s events-postgresql.txt events-sqlite.txt || fail "events differ"
cut -d'|' -f1-4 links-sqlite.txt | grep -qx "$L1|$L2|not_same|560" || fail "review pair: $(cat links-sqlite.txt)"
cut -d'|' -f3-4 links-sqlite.txt | grep -qx "linked|1715" || fail "linked pair: $(cat links-sqlite.txt)"
[ "$(cat events-sqlite.txt)" = "link.judged|1
link.proposed|2" ] || fail "events: $(cat events-sqlite.txt)"
# verify replays person_links on PostgreSQL too
PLUMB_STATE_DIR=$S "$PLUMB" verify --db "$U" >verify.out 2>&1 || fail "verify on PostgreSQL: $(cat verify.out)"

# R04 through a judged link (link_r04.sh) on PostgreSQL: the C engine's
# link query and the SQL reference's person_links join on this engine
U2=$(pg_db pg_link_r04) || exit 1
export PLUMB_STATE_DIR=$T/state2
K=43312719720202022X X=433127197202020246
"$PLUMB" init --db "$U2" >init.out 2>&1 || fail "init r04: $(cat init.out)"
"$PLUMB" import --db "$U2" --all "$PLUMB_SRC/tests/data/link/r04" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
    fail "import r04: $(cat imp.out)"
"$PLUMB" link run --db "$U2" >run.out 2>&1 || fail "link run r04: $(cat run.out)"
"$PLUMB" link review --db "$U2" $K $X same >/dev/null 2>&1 || fail "judge r04"
ev=$("$PLUMB" sql --db "$U2" "SELECT status, evidence FROM findings WHERE rule='R04'")
[ "$ev" = "open|[\"company_roles:CR1\",\"kin:KIN1\",\"payments:PAY1\",\"person_links:$K|$X\"]" ] ||
    fail "R04 on PostgreSQL: $ev"
"$PLUMB" rules check --db "$U2" --as-of 2026-03-02 --rule R04 >check.out 2>&1 ||
    fail "engine differs from SQL on PostgreSQL: $(tail -20 check.out)"
grep -q "engine = sql (1 findings" check.out || fail "R04 check on PostgreSQL: $(tail -3 check.out)"

# Person records (migration 0140, link_records.sh) on PostgreSQL: the table,
# the households the police register's rows give, the record-to-person
# links (scores by hand in link_records.sh), the queue's record side and
# R04 through the record's own role (engine and SQL reference).
U3=$(pg_db pg_link_rec) || exit 1
export PLUMB_STATE_DIR=$T/state3
"$PLUMB" init --db "$U3" >init.out 2>&1 || fail "init rec: $(cat init.out)"
"$PLUMB" import --db "$U3" --all "$PLUMB_SRC/tests/data/link/rec" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
    fail "import rec: $(cat imp.out)"
"$PLUMB" link run --db "$U3" >run.out 2>&1 || fail "link run rec: $(cat run.out)"
[ "$("$PLUMB" sql --db "$U3" "SELECT a, b, status, score_centibits FROM person_links ORDER BY b")" = "$K|person_records:HR1|linked|4905
$K|person_records:HR2|linked|2046
$K|person_records:REC1|linked|3192" ] || fail "record links on PostgreSQL: $("$PLUMB" sql --db "$U3" "SELECT * FROM person_links")"
"$PLUMB" link review --db "$U3" --status linked --json >q.json 2>&1 || fail "queue rec"
grep -q '"id_as_written": "43312719720202032X"' q.json || fail "queue's record side on PostgreSQL: $(cat q.json)"
ev=$("$PLUMB" sql --db "$U3" "SELECT status, evidence FROM findings WHERE rule='R04'")
[ "$ev" = "open|[\"kin:KIN1\",\"payments:PAY1\",\"person_links:$K|person_records:REC1\",\"person_records:REC1\"]" ] ||
    fail "R04 through a record on PostgreSQL: $ev"
"$PLUMB" rules check --db "$U3" --as-of 2026-03-02 --rule R04 >check.out 2>&1 ||
    fail "R04 (records): engine differs from SQL on PostgreSQL: $(tail -20 check.out)"
grep -q "engine = sql (1 findings" check.out || fail "R04 (records) check on PostgreSQL: $(tail -3 check.out)"
"$PLUMB" verify --db "$U3" >verify.out 2>&1 || fail "verify rec on PostgreSQL: $(cat verify.out)"
echo OK
