#!/bin/bash
# pg_dashboard.sh — `plumb dashboard --json` (src/dash: the dashboard's
# numbers, docs/API.md "Dashboard", docs/RULES.md "Trend dates") on
# PostgreSQL and SQLite alike: the examples imported and swept at
# 2026-03-01 on both engines give the same findings (by rule, status and
# the month of their facts), leaders, rotations and clue counts, and the
# answer written here by hand from the examples' own files: 28 findings;
# only R15's six absences (3 units not inspected, 3 leaders without a talk:
# no record date, so the evaluation's 2026-03-01) fall in the window, every
# other one is dated before April 2025 — tenures from 2012-05-01 (R01, R03,
# R18), declarations of 2023 (R09), the 2023 evaluation (R14), the years
# 2023–2025 (R16) and 2024–2025 (R19), clues of 2023 (R12, R17).
# Then `plumb serve` on each engine: GET /api/v1/dashboard (the scoped,
# cached-closure path) gives a discipline officer of U001 the same numbers
# on both, and GET /api/v1/persons/{id}/graph of 王建国 (his spouse holds
# shares of 鑫达建材) the same graph, its payments per unit counted here
# with awk from examples/finance/payments.csv.
# Layer: tests/cli (dash, http, store/pg.c).
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
export PLUMB_LANG=zh PGOPTIONS='-c client_min_messages=warning' PLUMB_NOW=2026-03-02T09:00:00Z
unset PLUMB_KEY
U=$(pg_db pg_dashboard) || exit 1

run() { # run DB NAME
    local db=$1 n=$2 st="--state-dir $T/$2.state"
    "$PLUMB" init --db "$db" $st >/dev/null 2>&1 || fail "init $n"
    "$PLUMB" import --db "$db" $st --all "$PLUMB_SRC/examples" --as-of 2026-03-01 --quiet \
        >"$T/$n.imp" 2>&1 || fail "import $n: $(cat "$T/$n.imp")"
    "$PLUMB" sweep --db "$db" $st --as-of 2026-03-01 >"$T/$n.sweep" 2>&1 || fail "sweep $n: $(cat "$T/$n.sweep")"
    "$PLUMB" dashboard --db "$db" $st --json --as-of 2026-03-01 >"$T/$n.json" 2>"$T/$n.err" ||
        fail "dashboard $n: $(cat "$T/$n.err")"
    if "$PLUMB" dashboard --db "$db" $st --as-of 2026-02-30 >/dev/null 2>"$T/$n.bad"; then fail "$n: a bad date passed"; fi
    grep -q -- "--as-of" "$T/$n.bad" || fail "$n: the bad date's line: $(cat "$T/$n.bad")"
}
run "$T/lite.db" lite
run "$U" pg

python3 - "$T/lite.json" "$T/pg.json" <<'PY' || fail "the numbers differ or are not as written"
import json, sys
lite, pg = (json.load(open(f)) for f in sys.argv[1:3])
for part in ("findings", "leaders", "rotations"):
    assert lite[part] == pg[part], (part, lite[part], pg[part])
for k in ("total", "open", "overdue"):
    assert lite["clues"][k] == pg["clues"][k], ("clues", k)
f = pg["findings"]
assert f["total"] == 28, f["total"]
window = {m["month"]: m["by_rule"] for m in f["by_month"] if m["total"]}
assert window == {"2026-03": {"R15": 6}}, window
assert (f["earlier"], f["later"]) == (22, 0), (f["earlier"], f["later"])
assert [m["month"] for m in f["by_month"]][0] == "2025-04"
PY

# ------------------------------------------------- the routes, real HTTP
PW='Correct-Horse-9battery'
LEADER=43312719700315011X
serve() { # serve DB NAME: starts plumb serve, signs in, writes NAME.dash and NAME.graph
    local db=$1 n=$2 st="--state-dir $T/$2.state" out secret code status
    out=$(echo "$PW" | "$PLUMB" user add disc-$n --role discipline_officer --scope U001 --password-stdin \
        --db "$db" $st --actor test 2>&1) || fail "user add $n: $out"
    secret=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
    rm -f "$T/port"
    "$PLUMB" serve --db "$db" $st --port 0 --port-file "$T/port" --quiet 2>"$T/$n.serve" &
    SERVER=$!
    for _ in $(seq 1 400); do [ -s "$T/port" ] && break; sleep 0.05; done
    [ -s "$T/port" ] || fail "serve $n did not start: $(cat "$T/$n.serve")"
    local B="http://127.0.0.1:$(cat "$T/port")"
    code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
        "import {totp} from './lib.mjs'; console.log(totp('$secret', Date.parse('$PLUMB_NOW') / 1000))") ||
        fail "node could not compute the code"
    status=$(curl -sS -c "$T/$n.jar" -o "$T/$n.login" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"disc-$n\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
    [ "$status" = 200 ] || fail "login $n: $status $(cat "$T/$n.login")"
    status=$(curl -sS -b "$T/$n.jar" -o "$T/$n.dash" -w '%{http_code}' "$B/api/v1/dashboard?as_of=2026-03-01")
    [ "$status" = 200 ] || fail "dashboard $n: $status $(cat "$T/$n.dash")"
    status=$(curl -sS -b "$T/$n.jar" -o "$T/$n.graph" -w '%{http_code}' "$B/api/v1/persons/$LEADER/graph")
    [ "$status" = 200 ] || fail "graph $n: $status $(cat "$T/$n.graph")"
    kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
}
serve "$T/lite.db" lite
serve "$U" pg
# The payments to 鑫达建材 per paying unit, from the examples' CSV.
awk -F, '$3 == "91433127MA4L00011W" { n[$2]++; s[$2] += $5 } END { for (u in n) print u, n[u], s[u] }' \
    "$PLUMB_SRC/examples/finance/payments.csv" >"$T/pay.want"
python3 - "$T/lite.dash" "$T/pg.dash" "$T/lite.graph" "$T/pg.graph" "$T/pay.want" <<'PY' || fail "the routes differ or are not as written"
import json, sys
ld, pd, lg, pg = (json.load(open(f)) for f in sys.argv[1:5])
for part in ("findings", "leaders", "rotations"):
    assert ld[part] == pd[part], (part, ld[part], pd[part])
assert ld["clues"]["total"] == pd["clues"]["total"]
assert pd["findings"]["total"] > 0
key = lambda g: (sorted(json.dumps(n, sort_keys=True) for n in g["nodes"]),
                 sorted(json.dumps(l, sort_keys=True) for l in g["links"]))
assert key(lg) == key(pg), (lg, pg)
want = {}
for line in open(sys.argv[5]):
    u, n, s = line.split()
    want[u] = (int(n), int(s))
got = {l["source"]: (l["count"], l["amount_fen"]) for l in pg["links"] if l["relation"] == "payment"}
assert got == want, (got, want)
assert any(l["relation"] == "spouse" for l in pg["links"]), pg["links"]
PY
echo "ok: the dashboard's numbers and the graph are the same on SQLite and PostgreSQL"
