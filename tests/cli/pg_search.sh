#!/bin/bash
# pg_search.sh — the global search and the profiles on PostgreSQL (issue #16
# item 3: "portable SQL on both engines"): the examples imported into a
# SQLite file and a PostgreSQL database give the same `plumb search --json`
# answers (persons by name, initials and ID; units; companies by name and
# credit code; clues by number and subject), the same pinyin initials, and
# `plumb serve` on PostgreSQL answers a unit's and a company's profile with
# the totals counted by SQL over the tables.
# Layer: tests/cli (src/search, src/cases/access.c, src/http/routes_search.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning' PLUMB_NOW=2026-03-02T00:00:00Z
unset PLUMB_KEY
cd "$T" || exit 2
EX=$PLUMB_SRC/examples
U=$(pg_db pg_search) || exit 1
S=$T/state
for db in "$U" lite.db; do
    st=$S
    [ "$db" = lite.db ] && st= # beside the file
    PLUMB_STATE_DIR=$st "$PLUMB" init --db "$db" >init.out 2>&1 || fail "init $db: $(cat init.out)"
    PLUMB_STATE_DIR=$st "$PLUMB" import --db "$db" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
        fail "import $db: $(cat imp.out)"
    PLUMB_STATE_DIR=$st "$PLUMB" sweep --db "$db" --as-of 2026-03-01 >/dev/null 2>&1 || fail "sweep $db"
done
one() { "$PLUMB" sql --db lite.db "$1" | head -1; }
PNAME=$(one "SELECT name FROM persons ORDER BY id LIMIT 1")
PID=$(one "SELECT id FROM persons ORDER BY id LIMIT 1")
INI=$(one "SELECT initials FROM person_initials ORDER BY person_id LIMIT 1")
CID=$(one "SELECT id FROM companies ORDER BY id LIMIT 1")
CLUE=$(one "SELECT id FROM clues ORDER BY id LIMIT 1")
[ -n "$PNAME" ] && [ -n "$INI" ] && [ -n "$CID" ] && [ -n "$CLUE" ] || fail "examples without persons, companies or clues"
# The initials are the same on both engines (a projection of the same events).
a=$("$PLUMB" sql --db lite.db "SELECT person_id, initials FROM person_initials ORDER BY person_id")
b=$(PLUMB_STATE_DIR=$S "$PLUMB" sql --db "$U" "SELECT person_id, initials FROM person_initials ORDER BY person_id")
[ "$a" = "$b" ] || fail "person_initials differ between SQLite and PostgreSQL"
n=0
for term in "$PNAME" "${PNAME:0:1}" "$INI" "$PID" "${CID:0:8}" "$CID" "县" "$CLUE" "${CLUE:0:4}" "有限公司" "a%_\\"; do
    a=$("$PLUMB" search --json --limit 50 --db lite.db "$term" 2>&1) || fail "search $term on SQLite: $a"
    b=$(PLUMB_STATE_DIR=$S "$PLUMB" search --json --limit 50 --db "$U" "$term" 2>&1) || fail "search $term on PostgreSQL: $b"
    [ "$a" = "$b" ] || fail "search '$term' differs: $(diff <(echo "$a") <(echo "$b") | head -20)"
    n=$((n + $(printf '%s' "$a" | grep -c '"kind"')))
done
[ "$n" -gt 10 ] || fail "too few hits to compare: $n"

# ------------------------------------------------ profiles over real HTTP
export PLUMB_STATE_DIR=$S
ROOTS=$(tail -n +2 "$EX/org/01_units.csv" | awk -F, '$2 == "" { printf " --scope %s", $1 }')
PW='Correct-Horse-9battery'
# shellcheck disable=SC2086
out=$(echo "$PW" | "$PLUMB" user add alice --role discipline_officer $ROOTS --password-stdin --db "$U" --actor t) ||
    fail "user add: $out"
SECRET=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
unset PLUMB_NOW
"$PLUMB" serve --db "$U" --port 0 --port-file port --quiet 2>serve.log &
SERVER=$!
for _ in $(seq 1 400); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "serve did not start: $(cat serve.log)"
B="http://127.0.0.1:$(cat port)"
code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$SECRET', Math.floor(Date.now() / 1000)))")
st=$(curl -sS -c jar -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"alice\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
[ "$st" = 200 ] || fail "login: $st $(cat login.json)"
UNIT=$(one "SELECT unit_id FROM posts GROUP BY unit_id ORDER BY count(*) DESC, unit_id LIMIT 1")
PAYCO=$(one "SELECT payee_company_id FROM payments WHERE payee_company_id IS NOT NULL ORDER BY id LIMIT 1")
st=$(curl -sS -b jar -o unit.json -w '%{http_code}' "$B/api/v1/units/$UNIT/profile") || fail curl
[ "$st" = 200 ] || fail "unit profile on PostgreSQL: $st $(cat unit.json) $(cat serve.log)"
st=$(curl -sS -b jar -o co.json -w '%{http_code}' "$B/api/v1/companies/$PAYCO/profile") || fail curl
[ "$st" = 200 ] || fail "company profile on PostgreSQL: $st $(cat co.json) $(cat serve.log)"
st=$(curl -sS -b jar -o s.json -w '%{http_code}' "$B/api/v1/search?q=$CLUE") || fail curl
[ "$st" = 200 ] || fail "search over HTTP on PostgreSQL: $st $(cat s.json) $(cat serve.log)"
got=$(node -e 'const u=JSON.parse(require("fs").readFileSync("unit.json")), c=JSON.parse(require("fs").readFileSync("co.json"));
  console.log(u.posts.total, u.findings.total, c.payments.total, c.payments.sum_fen, c.contracts.total)')
want="$(one "SELECT count(*) FROM posts WHERE unit_id='$UNIT'") $(one "SELECT count(*) FROM findings WHERE unit_id='$UNIT'") \
$(one "SELECT count(*) FROM payments WHERE payee_company_id='$PAYCO'") $(one "SELECT sum(amount_fen) FROM payments WHERE payee_company_id='$PAYCO'") \
$(one "SELECT count(*) FROM contracts WHERE supplier_id='$PAYCO'")"
[ "$got" = "$want" ] || fail "profile totals on PostgreSQL: got '$got', the tables say '$want'"
echo "ok: search equal on SQLite and PostgreSQL ($n hits over 11 queries); profiles on PostgreSQL: $got"
