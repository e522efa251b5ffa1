#!/bin/bash
# pg_serve.sh — `plumb user add` and `plumb serve` on PostgreSQL (issue #20
# item 2), with every side file in the state directory (docs/DEPLOY.md
# "State directory"):
#  - without --state-dir, `user add` and `serve` on a URL store stop with
#    one line naming --state-dir, exit 1, and nothing is written;
#  - with --state-dir DIR (or PLUMB_STATE_DIR), init writes the log key
#    DIR/plumbline.key, user add the TOTP key DIR/plumbline.totp.key (both
#    mode 0600), a sweep the rules snapshot DIR/plumbline.rules-snapshot and
#    its key; nothing is written beside any path;
#  - `plumb serve --db postgres://…` over real HTTP: a discipline officer signs in
#    with password and TOTP code, GET /api/v1/persons lists exactly the persons in
#    scope (ids from the examples' tenures and kin CSV files, not the store), POST
#    /api/v1/ledger/checkpoint (an auditor, docs/SECURITY.md) signs with DIR/plumbline.key
#    (a signed note, a ledger.checkpoint event);
#  - a SQLite store given --state-dir keeps its side files there too.
# Layer: tests/cli (store side files, accounts, http, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
SERVER=
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
    rm -rf "$T"
}
trap cleanup EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY PLUMB_STATE_DIR
cd "$T" || exit 2
PW='Correct-Horse-9battery'
EX=$PLUMB_SRC/examples
U=$(pg_db pg_serve) || exit 1
S=$T/state

# ------------------------------------------------ no state directory: refused
msg=$("$PLUMB" init --db "$U" 2>&1)
[ $? -eq 1 ] || fail "init of a URL store without a state directory: $msg"
printf '%s' "$msg" | grep -q -- "--state-dir" || fail "init message does not name --state-dir: $msg"
"$PLUMB" init --db "$U" --state-dir "$S" >/dev/null 2>&1 || fail "init with --state-dir"
[ -f "$S/plumbline.key" ] || fail "no log key $S/plumbline.key: $(ls -la "$S")"
[ "$(stat -c %a "$S/plumbline.key")" = 600 ] || fail "log key mode $(stat -c %a "$S/plumbline.key")"
"$PLUMB" import --db "$U" --state-dir "$S" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
    fail "import: $(cat imp.out)"
before=$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events")
add() { echo "$PW" | "$PLUMB" user add "$@" --password-stdin --db "$U" --actor test; }
msg=$(add alice --role admin 2>&1)
[ $? -eq 1 ] || fail "user add without a state directory: $msg"
printf '%s' "$msg" | grep -q -- "--state-dir" || fail "user add message does not name --state-dir: $msg"
[ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events")" = "$before" ] ||
    fail "a refused user add wrote to the ledger"
[ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM users")" = 0 ] || fail "a refused user add left a user"
msg=$("$PLUMB" serve --db "$U" --port 0 2>&1)
[ $? -eq 1 ] || fail "serve without a state directory: $msg"
printf '%s' "$msg" | grep -q -- "--state-dir" || fail "serve message does not name --state-dir: $msg"

# --------------------------------------------- with it (the environment form)
export PLUMB_STATE_DIR=$S
# The discipline officer's scope: every root unit of the examples.
ROOTS=$(tail -n +2 "$EX/org/01_units.csv" | awk -F, '$2 == "" { printf " --scope %s", $1 }')
[ -n "$ROOTS" ] || fail "no root unit in the examples"
# shellcheck disable=SC2086
out=$(add alice --role discipline_officer $ROOTS) || fail "user add alice: $out"
SECRET=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
[ ${#SECRET} -eq 32 ] || fail "no TOTP secret printed: $out"
out=$(add bob --role auditor) || fail "user add bob: $out"
SECRET2=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
[ "$(stat -c %a "$S/plumbline.totp.key" 2>/dev/null)" = 600 ] ||
    fail "TOTP key not in the state directory with mode 600: $(ls -la "$S")"
"$PLUMB" sweep --db "$U" --as-of 2026-03-01 >sweep.out 2>&1 || fail "sweep: $(cat sweep.out)"
[ -s "$S/plumbline.rules-snapshot" ] || fail "no rules snapshot in the state directory: $(ls "$S")"
[ -f "$S/plumbline.rules.key" ] || fail "no rules key in the state directory: $(ls "$S")"
left=$(ls -A "$T" | grep -v -x -e state -e imp.out -e sweep.out)
[ -z "$left" ] || fail "side files outside the state directory: $left"

# ------------------------------------------------------- serve, real HTTP
"$PLUMB" serve --db "$U" --port 0 --port-file port --quiet 2>serve.log &
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
login alice "$SECRET" jar >/dev/null
status=$(curl -sS -b jar -o persons.json -w '%{http_code}' "$B/api/v1/persons?limit=500")
[ "$status" = 200 ] || fail "GET /api/v1/persons: $status $(cat persons.json)"
node -e 'for (const p of JSON.parse(require("fs").readFileSync("persons.json")).items) console.log(p.id)' |
    sort >got || fail "persons.json: $(head -c 300 persons.json)"
# docs/SECURITY.md: a person is in scope if they hold or held a post in the
# subtree, or are the relative of such a person (kin.relative_id); every
# post of the examples is under one of the roots.
tail -n +2 "$EX/org/04_tenures.csv" | cut -d, -f2 | sort -u >holders
tail -n +2 "$EX/police/kin.csv" | awk -F, 'NR == FNR { h[$1] = 1; next } h[$2] { print $3 }' holders - |
    cat holders - | tr -d '\r' | sort -u >want
[ "$(wc -l <want)" -ge 3 ] || fail "too few person ids from the examples: $(cat want)"
cmp -s want got || fail "persons over HTTP differ from the examples: $(diff want got | head)"
CSRF=$(login bob "$SECRET2" jar2)
status=$(curl -sS -b jar2 -o cp.json -w '%{http_code}' -X POST -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' -d '{}' "$B/api/v1/ledger/checkpoint")
case $status in 200 | 201) ;; *) fail "POST checkpoint: $status $(cat cp.json)" ;; esac
grep -q '— ' cp.json || fail "checkpoint answer has no signed note: $(head -c 300 cp.json)"
kill "$SERVER"
wait "$SERVER"
SERVER=
[ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events WHERE type='ledger.checkpoint'")" -ge 1 ] ||
    fail "no ledger.checkpoint event after the POST"

# ------------------------------- SQLite with a state directory keeps it there
unset PLUMB_STATE_DIR
"$PLUMB" init --db q.db --state-dir "$T/qs" >/dev/null 2>&1 || fail "init SQLite with --state-dir"
[ -f "$T/qs/plumbline.key" ] && [ ! -e q.db.key ] || fail "SQLite + --state-dir: $(ls "$T" "$T/qs")"
echo "ok: user add, sweep and serve on PostgreSQL with the state directory; $(wc -l <got) persons over HTTP"
