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
# Layer: tests/cli (dash, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=zh PGOPTIONS='-c client_min_messages=warning' PLUMB_NOW=2026-03-02T09:00:00Z
unset PLUMB_KEY
U=$("$PLUMB_SRC/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" pg_dashboard) || fail createdb

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
echo "ok: the dashboard's numbers are the same on SQLite and PostgreSQL"
