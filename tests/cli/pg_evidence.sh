#!/bin/bash
# pg_evidence.sh — a finding's evidence resolved and the integrity file's
# risk breakdown on PostgreSQL (issue #16 items 4 and 6; docs/API.md
# "Finding evidence", "Integrity file"): the examples imported into a
# SQLite file and a PostgreSQL database, `plumb serve` on each, and for
# every finding GET /api/v1/findings/{id}?expand=evidence gives the same
# JSON on both engines (at least one record resolved with names); and the
# integrity file of each leader with a risk index gives the same `risk` on
# both, its parts adding up to the index with the stated rounding.
# Layer: tests/cli (src/http/routes_evidence.c, routes_file.c).
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
U=$(pg_db pg_evidence) || exit 1
S=$T/state
ROOTS=$(tail -n +2 "$EX/org/01_units.csv" | awk -F, '$2 == "" { printf " --scope %s", $1 }')
PW='Correct-Horse-9battery'
for db in "$U" lite.db; do
    st=$S
    [ "$db" = lite.db ] && st= # beside the file
    PLUMB_STATE_DIR=$st "$PLUMB" init --db "$db" >init.out 2>&1 || fail "init $db: $(cat init.out)"
    PLUMB_STATE_DIR=$st "$PLUMB" import --db "$db" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
        fail "import $db: $(cat imp.out)"
    PLUMB_STATE_DIR=$st "$PLUMB" sweep --db "$db" --as-of 2026-03-01 >/dev/null 2>&1 || fail "sweep $db"
    # shellcheck disable=SC2086
    out=$(echo "$PW" | PLUMB_STATE_DIR=$st "$PLUMB" user add alice --role discipline_officer $ROOTS \
        --password-stdin --db "$db" --actor t) || fail "user add: $out"
    printf '%s\n' "$out" | sed -n 's/^totp_secret: //p' >"secret.${db##*/}"
done
one() { "$PLUMB" sql --db lite.db "$1"; }
FINDINGS=$(one "SELECT id FROM findings ORDER BY id")
LEADERS=$(one "SELECT DISTINCT te.person_id FROM tenures te JOIN posts p ON p.id = te.post_id
    WHERE p.is_top = 1 AND (te.end_date IS NULL OR te.end_date = '' OR te.end_date > '2026-03-01')
    ORDER BY te.person_id")
[ -n "$FINDINGS" ] && [ -n "$LEADERS" ] || fail "examples without findings or leaders"
unset PLUMB_NOW

# Serve `db`, sign in, GET every path into dir/<n>.json.
fetch_all() {
    local db=$1 dir=$2 sdir=$3 st B secret code
    mkdir -p "$dir"
    rm -f port
    PLUMB_STATE_DIR=$sdir "$PLUMB" serve --db "$db" --port 0 --port-file port --quiet 2>serve.log &
    SERVER=$!
    for _ in $(seq 1 400); do [ -s port ] && break; sleep 0.05; done
    [ -s port ] || fail "serve did not start: $(cat serve.log)"
    B="http://127.0.0.1:$(cat port)"
    secret=$(cat "secret.${db##*/}")
    code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
        "import {totp} from './lib.mjs'; console.log(totp('$secret', Math.floor(Date.now() / 1000)))")
    rm -f jar
    st=$(curl -sS -c jar -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"alice\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
    [ "$st" = 200 ] || fail "login on $db: $st $(cat login.json)"
    local n=0 f
    for f in $FINDINGS; do
        st=$(curl -sS -b jar -o "$dir/f-$f.json" -w '%{http_code}' "$B/api/v1/findings/$f?expand=evidence")
        [ "$st" = 200 ] || fail "finding $f on $db: $st $(cat "$dir/f-$f.json") $(cat serve.log)"
        n=$((n + 1))
    done
    for f in $LEADERS; do
        st=$(curl -sS -b jar -o "$dir/p-$f.json" -w '%{http_code}' "$B/api/v1/persons/$f/file")
        [ "$st" = 200 ] || fail "file $f on $db: $st $(cat "$dir/p-$f.json") $(cat serve.log)"
    done
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null
    SERVER=
}
fetch_all lite.db lite ""
fetch_all "$U" pg "$S"

# The parts of the answers that depend on the engine's data only (a
# finding's ev_seq-free row; the file's risk), key-sorted.
norm() {
    node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
      const pick = process.argv[1].includes("/p-") ? { risk: j.risk } :
        { evidence_records: j.evidence_records, comparison: j.comparison, params_labelled: j.params_labelled };
      const sort = (v) => Array.isArray(v) ? v.map(sort) : v && typeof v === "object" ?
        Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v;
      console.log(JSON.stringify(sort(pick)))' "$1"
}
resolved=0
for f in lite/*.json; do
    a=$(norm "$f") b=$(norm "pg/${f#lite/}")
    [ "$a" = "$b" ] || fail "${f#lite/} differs between SQLite and PostgreSQL: $(diff <(echo "$a" | tr ',' '\n') <(echo "$b" | tr ',' '\n') | head -20)"
    case $a in *'"visible":true'*) resolved=$((resolved + 1)) ;; esac
done
[ "$resolved" -gt 0 ] || fail "no evidence record resolved"
# The risk's parts add up to its index, with the stated rounding.
risky=$(node -e 'const fs = require("fs"); let n = 0;
  for (const f of fs.readdirSync("pg").filter((x) => x.startsWith("p-"))) {
    const r = JSON.parse(fs.readFileSync("pg/" + f)).risk;
    if (!r) { console.error("no risk in " + f); process.exit(1) }
    const sum = r.breakdown.reduce((s, p) => s + p.contribution_x100, 0);
    if (sum + r.rounding_x100 !== r.index_x100 || Math.abs(r.rounding_x100) > r.breakdown.length) {
      console.error(f + ": parts " + sum + " + rounding " + r.rounding_x100 + " != " + r.index_x100); process.exit(1) }
    if (r.breakdown.length) n++ }
  console.log(n)') || fail "risk breakdown: $risky"
[ "$risky" -gt 0 ] || fail "no leader with a risk breakdown in the examples"
echo "ok: $(echo "$FINDINGS" | wc -l) findings' evidence ($resolved with records) and $(echo "$LEADERS" | wc -l) files' risk ($risky with parts) equal on SQLite and PostgreSQL"
