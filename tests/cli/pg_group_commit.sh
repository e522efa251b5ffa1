#!/bin/bash
# pg_group_commit.sh — the server's group commit (docs/LEDGER.md "Group
# commit") on PostgreSQL: bursts of concurrent writes to `plumb serve
# --db postgres://…` (PLUMB_GROUP_COMMIT_STATS=1), each burst 12 unit
# creates, a clue intake, and two bad members — a unit whose level is not
# one (refused before the store) and a clue intake about a person who does
# not exist (refused inside the library's transaction: rolled back to its
# savepoint, which on PostgreSQL also clears the aborted transaction).
# Each bad member gets its 4xx naming its field, every other member 201
# and its row; a group of more than one request formed (health counters);
# `plumb verify` is clean. tests/api/gc_crash.test.mjs does the same and
# kill -9 on SQLite.
# Layer: tests/cli (http group commit, store savepoints, store/pg.c).
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
unset PLUMB_KEY
cd "$T" || exit 2
PW='Correct-Horse-9battery'
EX=$PLUMB_SRC/examples
U=$(pg_db pg_group_commit) || exit 1
export PLUMB_STATE_DIR=$T/state
"$PLUMB" init --db "$U" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --db "$U" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 || fail "import: $(cat imp.out)"
ROOT=$(tail -n +2 "$EX/org/01_units.csv" | awk -F, '$2 == "" { print $1; exit }')
[ -n "$ROOT" ] || fail "no root unit in the examples"
add() { echo "$PW" | "$PLUMB" user add "$@" --password-stdin --db "$U" --actor test | sed -n 's/^totp_secret: //p'; }
S1=$(add cadre --role cadre_officer --scope "$ROOT")
S2=$(add pet --role petition_officer --scope "$ROOT")
[ ${#S1} -eq 32 ] && [ ${#S2} -eq 32 ] || fail "user add"

PLUMB_GROUP_COMMIT_STATS=1 "$PLUMB" serve --db "$U" --port 0 --port-file port --quiet \
    --rate-ip 0 --rate-user 0 2>serve.log &
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
C1=$(login cadre "$S1" jar1)
C2=$(login pet "$S2" jar2)
post() { # post JAR CSRF PATH BODY OUT: the status into OUT.status, the body into OUT
    curl -sS -b "$1" -o "$5" -w '%{http_code}' -X POST -H "X-CSRF-Token: $2" \
        -H 'Content-Type: application/json' -d "$4" "$B$3" >"$5.status" 2>/dev/null
}
unit() { printf '{"id":"%s","parent_id":"%s","name":"单位%s","division_code":"110101","level":"%s","kind":"department","industry":"其他"}' "$1" "$ROOT" "$1" "$2"; }
formed=0
for burst in 1 2 3 4 5; do
    pids=()
    for i in $(seq 1 12); do
        post jar1 "$C1" /api/v1/units "$(unit "G${burst}_$i" county)" "u$burst.$i" &
        pids+=($!)
    done
    post jar1 "$C1" /api/v1/units "$(unit "BAD$burst" galaxy)" "bu$burst" & pids+=($!)
    post jar2 "$C2" /api/v1/cases "{\"channel\":\"letter\",\"category\":\"money\",\"summary\":\"反映问题 坏$burst\",\"subject_person_id\":\"NO_SUCH_PERSON\"}" "bc$burst" & pids+=($!)
    post jar2 "$C2" /api/v1/cases "{\"channel\":\"letter\",\"category\":\"money\",\"summary\":\"反映问题 好$burst\",\"subject_unit_id\":\"$ROOT\"}" "gc$burst" & pids+=($!)
    wait "${pids[@]}"
    st=$(cat "bu$burst.status")
    case $st in 4??) ;; *) fail "burst $burst: the bad unit: $st $(cat "bu$burst")" ;; esac
    grep -q level "bu$burst" || fail "burst $burst: the bad unit's error does not name level: $(cat "bu$burst")"
    st=$(cat "bc$burst.status")
    case $st in 4??) ;; *) fail "burst $burst: the bad intake: $st $(cat "bc$burst")" ;; esac
    grep -q subject_person_id "bc$burst" || fail "burst $burst: the bad intake's error does not name subject_person_id: $(cat "bc$burst")"
    [ "$(cat "gc$burst.status")" = 201 ] || fail "burst $burst: the good intake: $(cat "gc$burst.status") $(cat "gc$burst")"
    for i in $(seq 1 12); do
        [ "$(cat "u$burst.$i.status")" = 201 ] || fail "burst $burst: unit $i: $(cat "u$burst.$i.status") $(cat "u$burst.$i")"
    done
    n=$("$PLUMB" sql --db "$U" "SELECT count(*) FROM units WHERE id LIKE 'G${burst}_%'")
    [ "$n" = 12 ] || fail "burst $burst: $n of 12 units stored"
    [ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM units WHERE id = 'BAD$burst'")" = 0 ] || fail "the bad unit stored"
    id=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).id)' "gc$burst")
    [ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM clues WHERE id = '$id'")" = 1 ] || fail "the good intake $id not stored"
    [ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_payloads WHERE payload LIKE '%坏$burst%'")" = 0 ] ||
        fail "burst $burst: the bad intake left a ledger payload"
    [ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_payloads WHERE payload LIKE '%好$burst%'")" != 0 ] ||
        fail "burst $burst: the good intake's payload not found (the check above would prove nothing)"
    curl -sS -o health.json "$B/api/v1/health"
    if node -e 'const g=JSON.parse(require("fs").readFileSync("health.json")).group_commit; process.exit(g.members > g.groups && g.largest > 1 ? 0 : 1)'; then
        formed=1
        break
    fi
done
[ "$formed" = 1 ] || fail "no group of more than one request formed in 5 bursts: $(cat health.json)"
kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
out=$("$PLUMB" verify --db "$U" 2>&1) || fail "verify: $out"
echo "ok: $(cat health.json)"
