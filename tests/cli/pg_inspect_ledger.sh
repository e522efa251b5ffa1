#!/bin/bash
# pg_inspect_ledger.sh — the rectification ledger (整改台账, docs/INSPECT.md
# §7) on PostgreSQL and SQLite alike: the same round, problem, tasks and
# steps through `plumb inspect` on both engines, then `plumb inspect ledger`
# (JSON rows, --overdue, --round --xlsx) and `list tasks --overdue` give
# the same answer on both, and the expected one written here: two tasks,
# the first (deadline 2026-01-31, nothing reported) overdue 待整改（逾期）, the
# second signed off with 1 evidence item. Layer: tests/cli (inspect, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=zh PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$(pg_db pg_inspect_ledger) || exit 1
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
    prob=$(i problem-add --round "$round" --unit U002 --category money --description 超标准列支会议费 \
        --found-at 2025-12-01)
    t1=$(i task-add --problem "$prob" --responsible $LEADER --measures 清退超标准费用 --deadline 2026-01-31)
    t2=$(i task-add --problem "$prob" --responsible $LEADER --measures 修订会议费管理办法 --deadline 2099-12-31)
    i progress "$t2" --text 办法已印发 --evidence "印发通知.pdf=$SHA" >/dev/null
    i signoff "$t2" --reason 核查属实 >/dev/null
    "$PLUMB" inspect ledger --db "$db" $st >"$T/$n.json" 2>>"$T/$n.err" || fail "$n: ledger: $(cat "$T/$n.err")"
    "$PLUMB" inspect ledger --db "$db" $st --overdue >"$T/$n.overdue" 2>>"$T/$n.err" || fail "$n: ledger --overdue"
    "$PLUMB" inspect list tasks --db "$db" $st --overdue >"$T/$n.list" 2>>"$T/$n.err" || fail "$n: list --overdue"
    "$PLUMB" inspect ledger --db "$db" $st --round "$round" --xlsx "$T/$n.xlsx" >"$T/$n.out" 2>>"$T/$n.err" ||
        fail "$n: ledger --xlsx: $(cat "$T/$n.err")"
    sed "s/ → .*//" "$T/$n.out" >"$T/$n.said"
    unzip -p "$T/$n.xlsx" xl/sharedStrings.xml >"$T/$n.strings" || fail "$n: the workbook is no zip"
}
run "$T/lite.db" lite
run "$U" pg

for f in json overdue list strings said; do
    cmp -s "$T/lite.$f" "$T/pg.$f" || fail "$f differs between SQLite and PostgreSQL: $(diff "$T/lite.$f" "$T/pg.$f" | head -20)"
done
# The expected answer (hand-written).
python3 - "$T/pg.json" "$T/pg.overdue" "$T/pg.list" <<'PY' || fail "the rows are not as written"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["measures"] for r in rows] == ["清退超标准费用", "修订会议费管理办法"], rows
a, b = rows
assert a["status_text"] == "待整改（逾期）" and a["overdue"] is True, a
assert b["status_text"] == "已销号" and b["overdue"] is False and b["evidence_count"] == 1, b
assert b["latest_progress"] == "办法已印发" and "latest_progress" not in a, b
assert a["unit_name"] == "永顺县财政局" and a["responsible_name"] == "王建国", a
assert a["problem_text"] == "用财：超标准列支会议费", a
for f in sys.argv[2:]:
    assert [r["measures"] for r in json.load(open(f))] == ["清退超标准费用"], f
PY
grep -q "整改台账: 2 个整改任务" "$T/pg.said" || fail "the CLI's line: $(cat "$T/pg.said")"
grep -q "<t>佐证材料数</t>" "$T/pg.strings" || fail "no header in the workbook"
echo "ok: the rectification ledger is the same on SQLite and PostgreSQL"
