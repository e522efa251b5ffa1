#!/bin/bash
# pg_verify.sh — `plumb verify` on PostgreSQL (issue #20 item 2: "verify
# replays into a scratch schema of the same database"):
#  - a clean store (the examples, a sweep, a user, a checkpoint) verifies:
#    exit 0, "ledger ok", every projection row matching the replay;
#  - the replay's schema plumb_verify_<random> is gone afterwards, also
#    after a failed verify;
#  - tampering is found as on SQLite (docs/LEDGER.md, docs/SECURITY.md): a
#    registry value changed behind the ledger's back, a row written into a
#    derived table (person_units: it widens a scope), a trigger function
#    replaced — each exit 1 with one line naming it.
# Layer: tests/cli (ledger/verify.c, store/store.c, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning' PLUMB_STATE_DIR=$T/state
unset PLUMB_KEY
U=$(pg_db pg_verify) || exit 1
sql() { "$PLUMB" sql --db "$U" "$1"; }
scratch() { sql "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'plumb_verify%'"; }

"$PLUMB" init --db "$U" >/dev/null 2>&1 || fail init
"$PLUMB" import --db "$U" --all "$PLUMB_SRC/examples" --as-of 2026-03-01 --quiet >"$T/imp" 2>&1 ||
    fail "import: $(cat "$T/imp")"
"$PLUMB" sweep --db "$U" --as-of 2026-03-01 >/dev/null 2>&1 || fail sweep
echo 'Correct-Horse-9battery' | "$PLUMB" user add vera --role auditor --password-stdin --db "$U" \
    --actor test >/dev/null || fail "user add"
"$PLUMB" checkpoint --db "$U" >/dev/null 2>&1 || fail checkpoint
out=$("$PLUMB" verify --db "$U" 2>&1) || fail "verify of a clean store: $out"
printf '%s\n' "$out" | grep -q '^ledger ok: .* projection rows in [0-9]* tables match the replay' ||
    fail "verify output: $out"
[ "$(scratch)" = 0 ] || fail "a scratch schema was left behind: $(scratch)"

bad() { # bad LABEL PATTERN: verify exits 1 and prints PATTERN; no schema left
    local msg rc
    msg=$("$PLUMB" verify --db "$U" 2>&1)
    rc=$?
    [ $rc -eq 1 ] || fail "$1: verify exit $rc (want 1): $msg"
    printf '%s' "$msg" | grep -q -- "$2" || fail "$1: message: $msg"
    [ "$(scratch)" = 0 ] || fail "$1: a scratch schema was left behind"
}
P=43312719750620022X # examples/org/03_persons.csv
sql "UPDATE persons SET name = '篡改' WHERE id = '$P'" >/dev/null || fail "tamper persons"
bad "a changed name" "table persons row id='$P', column name: store has '篡改', replay gives '李秀英'"
sql "UPDATE persons SET name = '李秀英' WHERE id = '$P'" >/dev/null
"$PLUMB" verify --db "$U" >/dev/null 2>&1 || fail "verify after undoing the change"
# (a unit the person is not placed at: the planted row widens a scope)
U1=$(sql "SELECT id FROM units WHERE id NOT IN (SELECT unit_id FROM person_units
          WHERE person_id = '$P') ORDER BY id LIMIT 1")
[ -n "$U1" ] || fail "no unit to plant a person_units row at"
sql "INSERT INTO person_units (person_id, unit_id) VALUES ('$P', '$U1')" >/dev/null ||
    fail "tamper person_units"
bad "a row planted in person_units" "person_units"
sql "DELETE FROM person_units WHERE person_id = '$P' AND unit_id = '$U1'" >/dev/null
"$PLUMB" verify --db "$U" >/dev/null 2>&1 || fail "verify after removing the planted row"
sql "CREATE OR REPLACE FUNCTION person_units_kin_del_fn() RETURNS trigger LANGUAGE plpgsql
     AS \$\$ BEGIN RETURN OLD; END \$\$" >/dev/null || fail "replace a trigger function"
bad "a replaced trigger function" "function person_units_kin_del_fn is defined otherwise"
echo "ok: verify on PostgreSQL replays into a scratch schema; 3 kinds of tampering found"
