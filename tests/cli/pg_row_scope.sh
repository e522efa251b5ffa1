#!/bin/bash
# pg_row_scope.sh — the scope check of a record write (routes.c
# row_allowed: the closure walked up from the record's units, issue #22
# wt-wpath) on PostgreSQL, against a hand-written table of docs/SECURITY.md
# "Placing a record in the unit tree": a cadre officer scoped to U002 (a
# department under the county root U001 of examples/) may create units at
# any depth below U002 and not beside or above it; one scoped to U001 may
# create them anywhere below U001. tests/api/wpath_row_scope.test.mjs does
# more on SQLite.
# Layer: tests/cli (http routes.c, accounts scope.c, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
T=$(mktemp -d)
SERVER=
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
cd "$T" || exit 2
PW='Correct-Horse-9battery'
EX=$PLUMB_SRC/examples
U=$(pg_db pg_row_scope) || exit 1
export PLUMB_STATE_DIR=$T/state
"$PLUMB" init --db "$U" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --db "$U" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 || fail "import: $(cat imp.out)"
add() { echo "$PW" | "$PLUMB" user add "$@" --password-stdin --db "$U" --actor test | sed -n 's/^totp_secret: //p'; }
SD=$(add dept --role cadre_officer --scope U002)
SR=$(add county --role cadre_officer --scope U001)
"$PLUMB" serve --db "$U" --port 0 --port-file port --quiet --rate-ip 0 --rate-user 0 2>serve.log &
SERVER=$!
for _ in $(seq 1 400); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "serve did not start: $(cat serve.log)"
B="http://127.0.0.1:$(cat port)"
login() { # login NAME SECRET JAR: signs in, prints the CSRF token
    local code status
    code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
        "import {totp} from './lib.mjs'; console.log(totp('$2', Math.floor(Date.now() / 1000)))") ||
        fail "node could not compute the code"
    status=$(curl -sS -c "$3" -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
    [ "$status" = 200 ] || fail "login $1: $status $(cat login.json) $(cat serve.log)"
    node -e 'console.log(JSON.parse(require("fs").readFileSync("login.json")).csrf_token)'
}
CD=$(login dept "$SD" jard)
CR=$(login county "$SR" jarr)
# want WHO ID PARENT STATUS: a new unit ID under PARENT by WHO (d or r)
want() {
    local jar csrf st
    if [ "$1" = d ]; then jar=jard csrf=$CD; else jar=jarr csrf=$CR; fi
    st=$(curl -sS -b "$jar" -o out.json -w '%{http_code}' -X POST -H "X-CSRF-Token: $csrf" \
        -H 'Content-Type: application/json' \
        -d "{\"id\":\"$2\",\"parent_id\":\"$3\",\"name\":\"单位$2\",\"division_code\":\"433127\",\"level\":\"county\",\"kind\":\"department\",\"industry\":\"其他\"}" \
        "$B/api/v1/units")
    [ "$st" = "$4" ] || fail "$1: unit $2 under $3: $st, want $4: $(cat out.json)"
}
want d UX1 U002 201  # the scope root itself
want d UX2 UX1 201   # one level below
want d UX3 UX2 201   # two levels below
want d UX4 UX3 201   # three levels below
want d UY1 U001 403  # the root's parent
want d UY2 U003 403  # a sibling department
want r UX5 UX3 201   # four levels below U001
want r UX6 U003 201
N=$(psql -X -q -A -t "$U" -c "SELECT count(*) FROM units WHERE id IN ('UY1','UY2')") || fail psql
[ "$N" = 0 ] || fail "a refused unit was stored"
echo "ok: pg_row_scope"
