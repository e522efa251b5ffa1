#!/bin/bash
# pg_rect_stats.sh — `plumb inspect stats` (docs/INSPECT.md §7a: the
# dashboard's counts, one aggregate query, pl_inspect_task_stats) on
# PostgreSQL and SQLite alike: the same round, problem (一把手), tasks and
# steps on both engines, then the counts for the whole store, for --unit,
# for --round, and for a scope holding none of the tasks give the same JSON
# on both, and the answer written here by hand: three tasks — one open
# past its deadline (overdue), one signed off, one in progress whose
# sign-off waits for approval. Layer: tests/cli (inspect, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=zh PGOPTIONS='-c client_min_messages=warning' PLUMB_NOW=2026-06-30T09:00:00Z
unset PLUMB_KEY
U=$(pg_db pg_rect_stats) || exit 1
LEADER=43312719700315011X
SHA=$(printf 'ab%.0s' $(seq 32))

run() { # run DB NAME
    local db=$1 n=$2 st="--state-dir $T/$2.state"
    "$PLUMB" init --db "$db" $st >/dev/null 2>&1 || fail "init $n"
    "$PLUMB" import --db "$db" $st --all "$PLUMB_SRC/examples" --as-of 2026-03-01 --quiet \
        >"$T/$n.imp" 2>&1 || fail "import $n: $(cat "$T/$n.imp")"
    i() { "$PLUMB" inspect --db "$db" $st --actor 巡察办 "$@" 2>>"$T/$n.err" || fail "$n: inspect $*: $(cat "$T/$n.err")"; }
    round=$(i round-add --round-no 2025-9 --level county --team 县委第一巡察组 --leader $LEADER \
        --start 2025-11-01 --end 2025-12-31 --unit U002)
    prob=$(i problem-add --round "$round" --unit U002 --category top_leader --description 一把手违规决策 \
        --found-at 2025-12-01)
    i task-add --problem "$prob" --responsible $LEADER --measures 清退 --deadline 2026-01-31 >/dev/null
    t2=$(i task-add --problem "$prob" --responsible $LEADER --measures 修订办法 --deadline 2099-12-31)
    t3=$(i task-add --problem "$prob" --responsible $LEADER --measures 集体决策 --deadline 2099-12-31)
    i progress "$t2" --text 办法已印发 --evidence "印发通知.pdf=$SHA" >/dev/null
    i signoff "$t2" --reason 核查属实 >/dev/null
    i approver U002 --role leader --reason 审批人 >/dev/null
    i progress "$t3" --text 已整改 --evidence "会议纪要.pdf=$SHA" >/dev/null
    i signoff "$t3" --reason 提请销号 >/dev/null
    i stats >"$T/$n.all"
    i stats --unit U002 >"$T/$n.unit"
    i stats --round "$round" >"$T/$n.round"
    other=U003 # 永顺县教育局, a sibling of U002 (examples/org/01_units.csv)
    i --scope "$other" stats >"$T/$n.other"
    if "$PLUMB" inspect --db "$db" $st stats --round IR-999 >/dev/null 2>"$T/$n.bad"; then fail "$n: an unknown round passed"; fi
}
run "$T/lite.db" lite
run "$U" pg

for f in all unit round other; do
    cmp -s "$T/lite.$f" "$T/pg.$f" || fail "$f differs between SQLite and PostgreSQL: $(diff "$T/lite.$f" "$T/pg.$f" | head -20)"
done
# The expected answer (hand-written).
python3 - "$T/pg.all" "$T/pg.unit" "$T/pg.round" "$T/pg.other" <<'PY' || fail "the counts are not as written"
import json, sys
want = {"total": 3, "open": 1, "in_progress": 1, "sent_back": 0, "reopened": 0, "signed_off": 1,
        "overdue": 1, "pending_approval": 1, "as_of": "2026-06-30"}
for f in sys.argv[1:4]:
    got = json.load(open(f))
    assert got == want, (f, got)
zero = dict(want, total=0, open=0, in_progress=0, signed_off=0, overdue=0, pending_approval=0)
got = json.load(open(sys.argv[4]))
assert got == zero, got
PY
grep -q "IR-999" "$T/pg.bad" || fail "the unknown round's line: $(cat "$T/pg.bad")"
echo "ok: the rectification stats are the same on SQLite and PostgreSQL"
