#!/bin/bash
# pg_clerk.sh — what the clerk's web pages ask of the server, on PostgreSQL
# (issue #16 item 5; docs/CASES.md "The clerk's pages"): over real HTTP on
# a PostgreSQL store of the examples, a staff intake with four mistakes is
# one 400 listing the four fields (in English with ?lang=en) and writes
# nothing (the ledger's count); a right one is 201; GET /api/v1/cases/{id}
# lists as handlers exactly the persons of accounts that handle clues and
# see it — the discipline officer linked to 李秀英 (head of another bureau),
# not the one linked to the subject 赵志强 himself (recused), not the
# petition officer (no handle permission) — and no approver.
# Layer: tests/cli (src/cases/workflow.c, src/http/routes_cases.c, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
cd "$T" || exit 2
EX=$PLUMB_SRC/examples
U=$(pg_db pg_clerk) || exit 1
export PLUMB_STATE_DIR=$T/state
"$PLUMB" init --db "$U" >init.out 2>&1 || fail "init: $(cat init.out)"
"$PLUMB" import --db "$U" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 || fail "import: $(cat imp.out)"
SUBJ=433127198001010337 # 赵志强, head of U003 (examples/org)
LI=43312719750620022X   # 李秀英, head of U002
WANG=43312719700315011X # 王建国
PW='Correct-Horse-9battery'
add() {
    local out
    out=$(echo "$PW" | "$PLUMB" user add "$@" --scope U001 --password-stdin --db "$U" --actor t) || fail "user add $1: $out"
    printf '%s\n' "$out" | sed -n 's/^totp_secret: //p'
}
SECRET=$(add alice --role discipline_officer --person "$LI")
add carol --role discipline_officer --person "$SUBJ" >/dev/null
PSECRET=$(add bob --role petition_officer --person "$WANG")
"$PLUMB" serve --db "$U" --port 0 --port-file port --quiet 2>serve.log &
SERVER=$!
for _ in $(seq 1 400); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "serve did not start: $(cat serve.log)"
B="http://127.0.0.1:$(cat port)"
login() {
    local code st
    code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
        "import {totp} from './lib.mjs'; console.log(totp('$2', Math.floor(Date.now() / 1000)))")
    st=$(curl -sS -c "$1.jar" -o "$1.login" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
    [ "$st" = 200 ] || fail "login $1: $st $(cat "$1.login")"
    node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(j.csrf_token||j.csrf||"")' "$1.login" >"$1.csrf"
}
login bob "$PSECRET"
login alice "$SECRET"
post() { # user path body → status, body in out.json
    curl -sS -b "$1.jar" -o out.json -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "X-CSRF-Token: $(cat "$1.csrf")" -d "$3" "$B$2"
}
before=$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events")
st=$(post bob '/api/v1/cases?lang=en' '{"channel":"pigeon","category":"","summary":"","subject_person_id":"NO_SUCH"}')
[ "$st" = 400 ] || fail "a wrong intake: $st $(cat out.json)"
got=$(node -e 'const j=JSON.parse(require("fs").readFileSync("out.json"));console.log(j.error.errors.map(x=>x.field).sort().join(" "))')
[ "$got" = "category channel subject_person_id summary" ] || fail "the fields in error: '$got' $(cat out.json)"
grep -q '[一-龥]' out.json && fail "?lang=en answered Chinese: $(cat out.json)"
[ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events")" = "$before" ] || fail "a rejected intake wrote to the ledger"
st=$(post bob /api/v1/cases "{\"channel\":\"letter\",\"category\":\"money\",\"summary\":\"来信反映局长问题\",\"subject_person_id\":\"$SUBJ\"}")
[ "$st" = 201 ] || fail "intake: $st $(cat out.json)"
ID=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("out.json")).id)')
st=$(curl -sS -b alice.jar -o show.json -w '%{http_code}' "$B/api/v1/cases/$ID") || fail curl
[ "$st" = 200 ] || fail "show on PostgreSQL: $st $(cat show.json) $(cat serve.log)"
got=$(node -e 'const j=JSON.parse(require("fs").readFileSync("show.json"));console.log(JSON.stringify([j.handlers,j.approver]))')
[ "$got" = "[[{\"person_id\":\"$LI\",\"name\":\"李秀英\"}],null]" ] || fail "handlers and approver: $got"
echo "ok: on PostgreSQL the intake's 4 field errors at once (nothing written), handlers $got"
