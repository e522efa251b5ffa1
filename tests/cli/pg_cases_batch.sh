#!/bin/bash
# pg_cases_batch.sh — POST /api/v1/cases/batch (docs/API.md "Batched
# intake") on PostgreSQL, inside the group commit: a valid batch of three
# clues sent together with single intakes (201, created 3, every clue
# stored); a batch with a bad member (400 naming clues[1].channel, its
# valid clue not stored); a batch whose second clue the library refuses
# while the batch is written (a reporter identity with no office key to
# seal it to: 400 naming clues[1].reporter_identity, the first clue,
# already written in the same transaction, rolled back); the single
# intakes of the same group committed whatever the batches did; `plumb
# verify` clean. tests/api/cases_batch.test.mjs does the same on SQLite.
# Layer: tests/cli (http batched intake, group commit, store/pg.c).
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
U=$(pg_db pg_cases_batch) || exit 1
export PLUMB_STATE_DIR=$T/state
"$PLUMB" init --db "$U" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --db "$U" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 || fail "import: $(cat imp.out)"
ROOT=$(tail -n +2 "$EX/org/01_units.csv" | awk -F, '$2 == "" { print $1; exit }')
[ -n "$ROOT" ] || fail "no root unit in the examples"
S=$(echo "$PW" | "$PLUMB" user add pet --role petition_officer --scope "$ROOT" --password-stdin --db "$U" --actor test |
    sed -n 's/^totp_secret: //p')
[ ${#S} -eq 32 ] || fail "user add"

PLUMB_GROUP_COMMIT_STATS=1 "$PLUMB" serve --db "$U" --port 0 --port-file port --quiet \
    --rate-ip 0 --rate-user 0 2>serve.log &
SERVER=$!
for _ in $(seq 1 400); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "serve did not start: $(cat serve.log)"
B="http://127.0.0.1:$(cat port)"
code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$S', Math.floor(Date.now() / 1000)))") ||
    fail "node could not compute the code"
status=$(curl -sS -c jar -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"pet\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
[ "$status" = 200 ] || fail "login: $status $(cat login.json) $(cat serve.log)"
CSRF=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("login.json")).csrf_token)')
post() { # post PATH BODY OUT: the status into OUT.status, the body into OUT
    curl -sS -b jar -o "$3" -w '%{http_code}' -X POST -H "X-CSRF-Token: $CSRF" \
        -H 'Content-Type: application/json' -d "$2" "$B$1" >"$3.status" 2>/dev/null
}
clue() { printf '{"channel":"phone","category":"money","summary":"%s","facts":"%s 热线来电反映问题","subject_unit_id":"%s"%s}' "$1" "$1" "$ROOT" "${2:-}"; }
count() { "$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_payloads WHERE payload LIKE '%$1%'"; }

pids=()
post /api/v1/cases/batch "{\"clues\":[$(clue 批甲一),$(clue 批甲二),$(clue 批甲三)]}" good & pids+=($!)
post /api/v1/cases/batch "{\"clues\":[$(clue 批乙一),$(clue 批乙二 ',"channel":"fax"' | sed 's/"channel":"phone",//')]}" bad & pids+=($!)
post /api/v1/cases/batch "{\"clues\":[$(clue 批丙一),$(clue 批丙二 ',"real_name":true,"reporter_identity":"王五"')]}" mid & pids+=($!)
for i in 1 2 3 4; do post /api/v1/cases "$(clue 单件$i)" "one$i" & pids+=($!); done
wait "${pids[@]}"

[ "$(cat good.status)" = 201 ] || fail "the valid batch: $(cat good.status) $(cat good)"
node -e 'const j=JSON.parse(require("fs").readFileSync("good")); process.exit(j.created === 3 && j.results.map((x) => x.index).join() === "0,1,2" ? 0 : 1)' ||
    fail "the valid batch's answer: $(cat good)"
for w in 批甲一 批甲二 批甲三; do [ "$(count "$w")" != 0 ] || fail "$w not stored"; done
for i in 1 2 3 4; do
    [ "$(cat "one$i.status")" = 201 ] || fail "single intake $i: $(cat "one$i.status") $(cat "one$i")"
    [ "$(count "单件$i")" != 0 ] || fail "single intake $i not stored"
done
[ "$(cat bad.status)" = 400 ] || fail "the batch with a bad member: $(cat bad.status) $(cat bad)"
grep -q '"field":"clues\[1\].channel"' bad || fail "the bad member is not named: $(cat bad)"
[ "$(count 批乙)" = 0 ] || fail "the refused batch left a clue"
[ "$(cat mid.status)" = 400 ] || fail "the batch refused midway: $(cat mid.status) $(cat mid)"
grep -q '"field":"clues\[1\].reporter_identity"' mid || fail "the refused clue is not named: $(cat mid)"
[ "$(count 批丙)" = 0 ] || fail "the batch refused midway left its first clue"
curl -sS -o health.json "$B/api/v1/health"
kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
out=$("$PLUMB" verify --db "$U" 2>&1) || fail "verify: $out"
echo "ok: $(cat health.json)"
