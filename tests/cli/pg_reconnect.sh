#!/bin/bash
# pg_reconnect.sh — `plumb serve` on PostgreSQL after its connections are
# cut (issue #20 item 5; docs/DEPLOY.md "What plumb does during a
# failover"), on the tests' throwaway cluster, without pg_auto_failover:
# every connection of the server is ended by pg_terminate_backend (the
# server says 57P01 and closes them, as a primary that shuts down does).
#  - writes after the cut are answered 201 or 503 with Retry-After, never a
#    500, and a write answered 503 stored nothing (it is sent again, same
#    id, until 201);
#  - each ended connection fails one request and then connects again: at
#    least one 503, and no more 503s than connections ended;
#  - the ledger is contiguous and `plumb verify` is clean.
# The deterministic companion of tests/cli/ha_failover.sh, which needs
# pg_auto_failover. Layer: tests/cli (store/pg.c, http).
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
fail() {
    printf 'FAIL: %s\n' "$*" | pg_redact
    grep -h '"level":"error"' "$T/serve.log" 2>/dev/null | head -n 5
    exit 1
}
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning' PLUMB_STATE_DIR=$T/state
unset PLUMB_KEY
cd "$T" || exit 2
EX=$PLUMB_SRC/examples
U=$(pg_db pg_reconnect) || exit 1
"$PLUMB" init --db "$U" >init.out 2>&1 || fail "init: $(cat init.out)"
"$PLUMB" import --db "$U" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
    fail "import: $(cat imp.out)"
ROOT=$(tail -n +2 "$EX/org/01_units.csv" | tr -d '\r\357\273\277' | awk -F, '$2 == "" { print $1; exit }')
out=$(echo 'Correct-Horse-9battery' | "$PLUMB" user add cadre --role cadre_officer --scope "$ROOT" \
    --password-stdin --db "$U" --actor test) || fail "user add: $out"
SECRET=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
"$PLUMB" serve --db "$U" --port 0 --port-file port --quiet 2>serve.log &
SERVER=$!
for _ in $(seq 1 400); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "serve did not start: $(cat serve.log)"
B="http://127.0.0.1:$(cat port)"
code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$SECRET', Math.floor(Date.now() / 1000)))")
st=$(curl -sS -c jar -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"cadre\",\"password\":\"Correct-Horse-9battery\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
[ "$st" = 200 ] || fail "login: $st $(cat login.json)"
CSRF=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("login.json")).csrf_token)')
# post ID: prints the status; the headers in h.txt, the body in b.json.
post() {
    curl -sS -b jar -D h.txt -o b.json -w '%{http_code}' -X POST -H "X-CSRF-Token: $CSRF" \
        -H 'Content-Type: application/json' \
        -d "{\"id\":\"$1\",\"parent_id\":\"$ROOT\",\"name\":\"单位$1\",\"division_code\":\"433127\",\"level\":\"county\",\"kind\":\"department\",\"industry\":\"其他\"}" \
        "$B/api/v1/units"
}
for i in 1 2 3; do
    st=$(post "R$i")
    [ "$st" = 201 ] || fail "R$i before the cut: $st $(cat b.json)"
done
cut=$("$PLUMB" sql --db "$U" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'plumbline'")
[ "$cut" -ge 1 ] || fail "no server connection to end"
events() { "$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events"; }
# Each write after the cut is sent until it is answered 201; a 503 must
# carry Retry-After and store nothing. Each ended connection fails one
# statement, then connects again: no more 503s than connections ended.
n503=0
for i in 4 5 6 7 8 9 10 11 12 13 14 15; do
    for try in $(seq 1 20); do
        before=$(events)
        st=$(post "R$i")
        [ "$st" = 201 ] && break
        [ "$st" = 503 ] || fail "R$i try $try: $st (want 201 or 503) $(cat b.json)"
        grep -qi '^Retry-After: [0-9]' h.txt || fail "503 without Retry-After: $(cat h.txt)"
        [ "$(events)" = "$before" ] || fail "R$i: a write answered 503 was stored"
        n503=$((n503 + 1))
    done
    [ "$st" = 201 ] || fail "R$i never stored after the cut: $st $(cat b.json)"
done
[ "$n503" -ge 1 ] || fail "no 503 after the connections were ended"
[ "$n503" -le "$cut" ] || fail "$n503 answers 503 for $cut connections ended: not reconnected"
kill "$SERVER"
wait "$SERVER"
SERVER=
[ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM units WHERE id LIKE 'R%'")" = 15 ] || fail "units R1-R15"
[ "$("$PLUMB" sql --db "$U" "SELECT count(*) = max(seq) + 1 AND min(seq) = 0 FROM ledger_events")" = 1 ] ||
    fail "ledger not contiguous"
"$PLUMB" verify --db "$U" >verify.out 2>&1 || fail "verify: $(tail -3 verify.out)"
echo "ok: $cut connections ended; $n503 answers 503 with Retry-After, R4-R15 stored; verify clean"
