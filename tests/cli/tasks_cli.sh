#!/bin/bash
# tasks_cli.sh — the warnings' tasks and the 研判 meeting through the CLI
# (issue #17 item 2, docs/RULES.md "Tasks and 研判"): assign → accept →
# progress → close; closing without a reason is one line naming `reason`,
# exit 1, the store unchanged; `plumb sweep --as-of` after the due date
# raises the warning one colour as a task.overdue event (blue → yellow →
# red, written below, not read from the code); `plumb judge record`
# lowers a warning; help in zh-CN and English; `plumb verify` clean and
# catching a direct change to each new table; `plumb rebuild` reproducing
# them row for row. Fixture: the API tests' (tests/api/lib.mjs), swept at
# 2026-03-01: a red warning on S (UA), a yellow one on O (UB), tasks due
# 2026-03-31. On both engines (helpers/store_lib.sh). Needs: $PLUMB,
# $PLUMB_SRC, node.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=en
DB=$(store_new t) || exit 1
node -e "import('$HERE/../api/lib.mjs').then((m) => m.writeFixture('$T/fx'))" || fail "fixture"
$P init --db "$DB" --origin plumbline.test/tasks >/dev/null || fail init
$P import --db "$DB" --all "$T/fx" --quiet >/dev/null 2>&1 || fail import
$P sweep --db "$DB" --as-of 2026-03-01 >/dev/null || fail sweep
q() { store_sql "$DB" "$1"; }
S=110101197001010016 O=110101197504040049
TS=$(q "SELECT id FROM rule_tasks WHERE person_id='$S'")
TO=$(q "SELECT id FROM rule_tasks WHERE person_id='$O'")
WO=$(q "SELECT id FROM risk_warnings WHERE person_id='$O'")
[ -n "$TS" ] && [ -n "$TO" ] && [ -n "$WO" ] || fail "the fixture's warnings and tasks"
printf 'Correct-Horse-9battery\n' | $P user add cbee --role cadre_officer --scope UB --password-stdin --db "$DB" --actor t >/dev/null || fail "user add"
printf 'Correct-Horse-9battery\n' | $P user add dzero --role discipline_officer --scope U0 --password-stdin --db "$DB" --actor t >/dev/null || fail "user add"

# Help: zh-CN by default, English with --lang en, the same options.
zh=$(env -u PLUMB_LANG LANG=C.UTF-8 $P task --help) || fail "task --help"
printf '%s' "$zh" | head -1 | grep -q '^用法: plumb task' || fail "task --help not zh"
en=$($P task --help --lang en) || fail "task --help --lang en"
printf '%s' "$en" | head -1 | grep -q '^usage: plumb task' || fail "task --help not en"
[ "$(printf '%s\n' "$zh" | grep -oE -- '--[a-z-]+' | sort -u)" = "$(printf '%s\n' "$en" | grep -oE -- '--[a-z-]+' | sort -u)" ] || fail "zh and en list different options"

# The state table: open → assigned → accepted → in_progress → closed.
st() { q "SELECT status FROM rule_tasks WHERE id='$1'"; }
$P task assign "$TO" --user cbee --reason '干部科承办' --db "$DB" >/dev/null || fail assign
[ "$(st "$TO")" = assigned ] || fail "after assign: $(st "$TO")"
out=$($P task accept "$TO" --db "$DB" 2>&1) && fail "accept by the operator, not the assignee, passed"
printf '%s\n' "$out" | grep -q '^plumb: assignee: ' || fail "accept by another: $out"
$P task accept "$TO" --as cbee --db "$DB" >/dev/null || fail accept
[ "$(st "$TO")" = accepted ] || fail "after accept: $(st "$TO")"
$P task progress "$TO" --as cbee --text '已谈话提醒' --evidence supervision_activity:SV1 --db "$DB" >/dev/null || fail progress
[ "$(st "$TO")" = in_progress ] || fail "after progress: $(st "$TO")"
n=$(q 'SELECT count(*) FROM ledger_events')
out=$($P task close "$TO" --as cbee --evidence supervision_activity:SV1 --db "$DB" 2>&1); rc=$?
[ $rc = 1 ] || fail "close without a reason: exit $rc"
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "close without a reason: not one line: $out"
printf '%s\n' "$out" | grep -q '^plumb: reason: ' || fail "close without a reason does not name reason: $out"
[ "$(q 'SELECT count(*) FROM ledger_events')" = "$n" ] || fail "a refused close wrote an event"
[ "$(st "$TO")" = in_progress ] || fail "a refused close changed the task"

# Overdue: S's task (due 2026-03-31) is open; the sweep at 2026-04-01 marks
# it and raises S's red warning... which stays red; O's task is not closed
# either: yellow → red.
out=$($P sweep --db "$DB" --as-of 2026-04-01) || fail "sweep 2026-04-01"
printf '%s\n' "$out" | grep -q 'overdue tasks raising their warning: 2' || fail "sweep: $out"
[ "$(q "SELECT COALESCE(colour, grade) FROM risk_warnings WHERE id='$WO'")" = red ] || fail "O's warning is not red after its task was late"
[ "$(q "SELECT grade FROM risk_warnings WHERE id='$WO'")" = yellow ] || fail "the engine's grade changed"
[ "$(q "SELECT type || ',' || actor || ',' || colour_before || ',' || colour_after FROM warning_history WHERE warning_id='$WO'")" = 'overdue,sweep,yellow,red' ] || fail "O's warning history"
[ "$(q "SELECT count(*) FROM ledger_events WHERE type='task.overdue'")" = 2 ] || fail "task.overdue events"
# Once per due date.
out=$($P sweep --db "$DB" --as-of 2026-04-02) || fail "sweep 2026-04-02"
printf '%s\n' "$out" | grep -q 'overdue tasks' && fail "a second sweep raised again: $out"

# 研判: lower O's red warning to yellow (held today by the clock).
printf '{"held_on":"2026-04-02","attendees":[{"user":"cbee"},{"person_id":"%s"}],"decisions":[{"warning_id":"%s","decision":"lower","reason":"已整改"}]}' "$S" "$WO" >"$T/jm.json"
PLUMB_NOW=2026-04-02T08:00:00Z $P judge record --json "$T/jm.json" --db "$DB" >/dev/null || fail "judge record"
[ "$(q "SELECT colour FROM risk_warnings WHERE id='$WO'")" = yellow ] || fail "lower did not take effect"
printf '{"held_on":"2026-04-02","attendees":[{"user":"cbee"}],"decisions":[{"warning_id":"%s","decision":"raise"}]}' "$WO" >"$T/bad.json"
n=$(q 'SELECT count(*) FROM ledger_events')
out=$(PLUMB_NOW=2026-04-02T08:00:00Z $P judge record --json "$T/bad.json" --db "$DB" 2>&1) && fail "raise without a reason passed"
printf '%s\n' "$out" | grep -q '^plumb: decisions\[0\].reason: ' || fail "raise without a reason: $out"
[ "$(q 'SELECT count(*) FROM ledger_events')" = "$n" ] || fail "a refused meeting wrote an event"

$P task close "$TO" --as cbee --reason '谈话提醒已完成' --evidence supervision_activity:SV1 --db "$DB" >/dev/null || fail close
[ "$(st "$TO")" = closed ] || fail "after close: $(st "$TO")"

# verify clean; rebuild equal; a direct change to each new table is caught.
$P verify --db "$DB" >/dev/null || fail "verify after the steps"
TABLES="rule_tasks risk_warnings task_history warning_history judgements judgement_attendees judgement_decisions"
dump() { for t in $TABLES; do echo "== $t"; q "SELECT * FROM $t ORDER BY 1, 2"; done; }
before=$(dump)
$P rebuild --db "$DB" >/dev/null || fail rebuild
[ "$(dump)" = "$before" ] || fail "rebuild differs: $(diff <(echo "$before") <(dump) | head -5)"
$P verify --db "$DB" >/dev/null || fail "verify after rebuild"
for change in "UPDATE rule_tasks SET close_reason='x' WHERE id='$TO'" \
              "UPDATE risk_warnings SET colour='blue' WHERE id='$WO'" \
              "UPDATE task_history SET text='x' WHERE task_id='$TO'" \
              "DELETE FROM warning_history" \
              "UPDATE judgements SET held_on='2026-01-01'" \
              "DELETE FROM judgement_attendees" \
              "UPDATE judgement_decisions SET decision='raise'"; do
    X=$(store_copy "$DB" x) || fail "copy"
    store_sql "$X" "$change" || fail "sql $change"
    $P verify --db "$X" >"$T/v" 2>&1 && fail "verify missed: $change"
    t=$(printf '%s\n' "$change" | grep -oE '(UPDATE|FROM) [a-z_]+' | head -1 | cut -d' ' -f2)
    grep -q "$t" "$T/v" || fail "verify message does not name $t: $(head -3 "$T/v")"
done
echo "ok: tasks and 研判 through the CLI"
