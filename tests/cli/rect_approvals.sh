#!/bin/bash
# rect_approvals.sh — approval (审批) of the sign-off (销号) of a top leader's
# unit's rectification task through the CLI (issue #17 item 4,
# docs/INSPECT.md §3a): `plumb inspect approver` configures the inspection
# office's head; a sign-off of such a task is then only proposed (the task
# does not move); the proposer (same --actor) cannot approve (one line
# naming `approver`, exit 1, nothing written); another actor approves;
# a refusal keeps the task; a task not of a top leader's unit signs off at
# once; `plumb verify` is clean and `plumb rebuild` reproduces the tables.
# On both engines (helpers/store_lib.sh). Needs: $PLUMB, $PLUMB_SRC.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
DB=$(store_new i) || exit 1
A=433127197001010017 B=43312719710202002X C=433127197203030032
mkdir -p "$T/fx/org"
cat >"$T/fx/org/01_units.csv" <<'CSV'
id,parent_id,name,division_code,level,kind,industry
U1,,中共永顺县委,433127,county,party,党委
FB,U1,永顺县财政局,433127,county,department,财政
CSV
cat >"$T/fx/org/02_posts.csv" <<'CSV'
id,unit_id,title,rank,is_top,category,portfolio,reports_to
P1,FB,局长,section,1,finance,,
P3,FB,科员,section,0,finance,,
CSV
cat >"$T/fx/org/03_persons.csv" <<CSV
id,name,gender,birth_date,native_place
$A,王局长,M,1970-01-01,
$B,李组长,F,1971-02-02,
$C,张科员,M,1972-03-03,
CSV
cat >"$T/fx/org/04_tenures.csv" <<CSV
id,person_id,post_id,start_date,end_date,decision_id
T1,$A,P1,2015-01-01,,
T3,$C,P3,2016-01-01,,
CSV
export PLUMB_NOW=2026-04-01T09:00:00Z
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$T/fx" --db "$DB" --quiet >/dev/null || fail "import"
P() { "$PLUMB" inspect "$@" --db "$DB" --lang en; }
events() { store_sql "$DB" "SELECT count(*) FROM ledger_events"; }
status() { store_sql "$DB" "SELECT status FROM inspect_tasks WHERE id='$1'"; }
refused() {
    local field=$1; shift
    local before; before=$(events)
    P "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    [ $rc -eq 1 ] || fail "'$*' exit $rc, want 1: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" -eq 1 ] || fail "'$*' message not one line: $(cat "$T/err")"
    grep -q "^plumb: $field: " "$T/err" || fail "'$*' message does not name $field: $(cat "$T/err")"
    [ "$(events)" = "$before" ] || fail "'$*' was refused but wrote an event"
}

P round-add --round-no 1 --level county --team 第一巡察组 --leader "$B" --start 2026-03-01 \
  --end 2026-05-31 --unit FB --actor o >/dev/null || fail "round"
# IP-1 about the top leader A of FB; IP-2 about C, a clerk (not a top leader's unit's task).
P problem-add --round IR-1 --unit FB --person "$A" --category money --description 违规支付 \
  --found-at 2026-03-05 --actor o >/dev/null || fail "problem 1"
P problem-add --round IR-1 --unit FB --person "$C" --category conduct --description 作风问题 \
  --found-at 2026-03-06 --actor o >/dev/null || fail "problem 2"
P task-add --problem IP-1 --responsible "$A" --measures 追回 --deadline 2026-06-30 --actor o >/dev/null || fail "task 1"
P task-add --problem IP-2 --responsible "$C" --measures 整改 --deadline 2026-06-30 --actor o >/dev/null || fail "task 2"
for t in RT-1 RT-2; do
  P progress $t --text 已整改 --evidence "回单.pdf=$(printf 'ab%.0s' $(seq 32))" --actor unit >/dev/null || fail "progress $t"
done

refused approver approver U1 --role leader --person "$B" --reason x
refused role approver U1 --role king --reason x
refused reason approver U1 --role leader
P approver U1 --role leader --reason 巡察办主任 --actor admin >/dev/null || fail "approver"

# The proposal does not move the task.
P signoff RT-1 --reason 提请销号 --actor alice >"$T/out" 2>"$T/err" || fail "signoff: $(cat "$T/err")"
grep -q "waits for approval" "$T/err" || fail "no pending note: $(cat "$T/err")"
[ "$(status RT-1)" = in_progress ] || fail "the proposal moved the task: $(status RT-1)"
refused pending_signoff signoff RT-1 --reason again --actor bob
# A task not of a top leader's unit: signed off at once.
P signoff RT-2 --reason 到位 --actor alice >/dev/null 2>&1 || fail "signoff RT-2"
[ "$(status RT-2)" = signed_off ] || fail "RT-2 not signed off: $(status RT-2)"
# The proposer cannot decide; a refusal keeps the task; an approval signs it off.
refused approver approve RT-1 --reason 同意 --actor alice
refused approver refuse RT-1 --reason 不同意 --actor alice
P refuse RT-1 --reason 证据不足 --actor carol >/dev/null || fail "refuse"
[ "$(status RT-1)" = in_progress ] || fail "the refusal moved the task"
refused pending_signoff approve RT-1 --reason 同意 --actor carol
P signoff RT-1 --reason 再次提请 --actor alice >/dev/null 2>&1 || fail "signoff again"
P approve RT-1 --reason 同意销号 --actor carol >/dev/null || fail "approve"
[ "$(status RT-1)" = signed_off ] || fail "the approval did not sign off: $(status RT-1)"
got=$(store_sql "$DB" "SELECT type || ':' || actor FROM inspect_task_history WHERE task_id='RT-1' ORDER BY seq" | paste -sd' ')
want="opened:o progress:unit signoff_proposed:alice signoff_refused:carol signoff_proposed:alice signoff_approved:carol signed_off:carol"
[ "$got" = "$want" ] || fail "history: $got"

"$PLUMB" verify --db "$DB" >/dev/null || fail "verify"
dump() { for t in inspect_tasks inspect_task_history inspect_approvers; do
    echo "== $t"; store_sql "$DB" "SELECT $(store_cols "$DB" $t) FROM $t ORDER BY 1, 2"; done; }
before=$(dump)
"$PLUMB" rebuild --db "$DB" >/dev/null || fail "rebuild"
[ "$(dump)" = "$before" ] || fail "rebuild differs"
# A direct change to the new table is caught.
store_sql "$DB" "UPDATE inspect_approvers SET role='subject'"
"$PLUMB" verify --db "$DB" >"$T/out" 2>&1 && fail "verify missed a change to inspect_approvers"
grep -q inspect_approvers "$T/out" || fail "verify does not name inspect_approvers: $(cat "$T/out")"
echo "ok"
