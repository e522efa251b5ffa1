#!/bin/bash
# inspect_ledger.sh — inspection and rectification through the CLI (issue
# #17 item 1, docs/INSPECT.md): round → problem → task → progress with
# evidence → sign-off → 回头看 re-open (recurrence counted); bad input is one
# line naming the field, exit 1, and the store unchanged; every step is a
# ledger event; `plumb verify` is clean and catches a direct change to each
# new table; `plumb rebuild` reproduces every new table row for row.
# Needs: $PLUMB, $PLUMB_SRC. On both engines (helpers/store_lib.sh).
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
EB,U1,永顺县教育局,433127,county,department,教育
U2,,中共龙山县委,433130,county,party,党委
CSV
cat >"$T/fx/org/02_posts.csv" <<'CSV'
id,unit_id,title,rank,is_top,category,portfolio,reports_to
P1,FB,局长,section,1,finance,,
P2,U1,巡察组长,section,0,general,,
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
T2,$B,P2,2018-01-01,,
CSV
mkdir -p "$T/fx/supervision"
cat >"$T/fx/supervision/supervision_activities.csv" <<CSV
id,kind,person_id,unit_id,held_at,notes
DL1,democratic_life,,FB,2026-03-10,年度民主生活会
RM1,reminder_talk,$A,FB,2026-03-11,
CSV
export PLUMB_NOW=2026-04-01T09:00:00Z
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$T/fx" --db "$DB" --quiet >/dev/null || fail "import"
P() { "$PLUMB" inspect "$@" --db "$DB" --lang en --actor 巡察办; }
events() { store_sql "$DB" "SELECT count(*) FROM ledger_events"; }
dump() { for t in inspect_rounds inspect_round_units inspect_problems inspect_tasks inspect_task_history \
    inspect_handovers inspect_criticisms; do
    echo "== $t"; store_sql "$DB" "SELECT $(store_cols "$DB" $t) FROM $t ORDER BY 1, 2"; done; }
# A refused command: exit 1, one line naming the field first ("plumb:
# FIELD: 中文 / English"), nothing written.
refused() {
    local field=$1 want=$2; shift 2
    local before; before=$(events)
    P "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    [ $rc -eq 1 ] || fail "'$*' exit $rc, want 1: $(cat "$T/err")"
    [ "$(wc -l <"$T/err")" -eq 1 ] || fail "'$*' message not one line: $(cat "$T/err")"
    grep -q "^plumb: $field: " "$T/err" || fail "'$*' message does not name $field: $(cat "$T/err")"
    grep -qF -- "$want" "$T/err" || fail "'$*' message lacks '$want': $(cat "$T/err")"
    LC_ALL=C grep -qP '[\x80-\xff]' "$T/err" || fail "'$*' message has no Chinese: $(cat "$T/err")"
    [ "$(events)" = "$before" ] || fail "'$*' was refused but wrote an event"
}

zh=$(env -u PLUMB_LANG LANG=C.UTF-8 "$PLUMB" inspect --help) || fail "zh help exit"
printf '%s' "$zh" | head -1 | grep -q "^用法: plumb inspect" || fail "help not zh by default"
en=$(PLUMB_LANG=en "$PLUMB" inspect --help) || fail "en help exit"
printf '%s' "$en" | head -1 | grep -q "^usage: plumb inspect" || fail "help not en"
[ "$(printf '%s\n' "$zh" | grep -oE -- '--[a-z-]+' | sort -u)" = \
  "$(printf '%s\n' "$en" | grep -oE -- '--[a-z-]+' | sort -u)" ] || fail "zh/en help options differ"
# docs/INSPECT.md §5 quotes the English help word for word
if [ -n "${PLUMB_SRC:-}" ]; then
    awk '/^## 5. Commands/{f=1} f&&/^```$/{n++; next} f&&n==1' "$PLUMB_SRC/docs/INSPECT.md" >"$T/doc"
    printf '%s\n' "$en" | diff - "$T/doc" >/dev/null || fail "docs/INSPECT.md §5 is not plumb inspect --help"
fi

# ---- the loop
R=$(P round-add --round-no 2026-1 --level county --team 县委第一巡察组 --leader $B \
    --start 2026-03-01 --end 2026-05-31 --unit FB --unit EB --reason 年度巡察计划) || fail "round"
[ "$R" = IR-1 ] || fail "round id $R"
Q=$(P problem-add --round IR-1 --unit FB --category money --person $A \
    --description "违规发放津贴补贴" --found-at 2026-03-20 --evidence person:$A \
    --notes "组内意见：从严") || fail "problem"
[ "$Q" = IP-1 ] || fail "problem id $Q"
# 移交问题线索: the problem becomes a workflow clue, linked both ways
CL=$(P handover IP-1 --reason 涉嫌违纪移交纪委) || fail "handover"
[ "$(store_sql "$DB" "SELECT channel||' '||category||' '||source_ref||' '||subject_person_id FROM case_clues WHERE id='$CL'")" = \
  "inspection money IP-1 $A" ] || fail "handed-over clue $CL: $(store_sql "$DB" "SELECT * FROM case_clues")"
P show problem IP-1 | grep -q "\"clue_id\": \"$CL\"" || fail "problem does not link the clue"
refused id "problem IP-1 was already handed over" handover IP-1 --reason again
K=$(P task-add --problem IP-1 --responsible $A --measures "清退津贴，建立审批制度" \
    --deadline 2026-06-30) || fail "task"
[ "$K" = RT-1 ] || fail "task id $K"
H=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
P progress RT-1 --text "已清退" --evidence "清退凭证.pdf=$H" >/dev/null || fail "progress"
P signoff RT-1 --reason 整改到位 >/dev/null || fail "signoff"
P show task RT-1 >"$T/t" || fail "show"
grep -q '"status": "signed_off"' "$T/t" || fail "not signed off: $(cat "$T/t")"
P reopen RT-1 --reason "回头看发现问题反弹" >/dev/null || fail "reopen"
P show task RT-1 >"$T/t"
grep -q '"recurrence_count": 1' "$T/t" || fail "recurrence not counted: $(cat "$T/t")"
grep -q '"status": "reopened"' "$T/t" || fail "not reopened"
# every step so far is an event: seven types
n=$(store_sql "$DB" "SELECT count(DISTINCT type) FROM ledger_events WHERE type LIKE 'inspect.%'")
[ "$n" = 7 ] || fail "event types: $n"

# ---- bad input: exit 1, one line naming the field, nothing written
refused evidence "task RT-1 has no progress report with evidence" signoff RT-1 --reason 再次销号
refused deadline "2026-03-01 is before the problem's date 2026-03-20" task-add --problem IP-1 \
    --responsible $A --measures x --deadline 2026-03-01
refused deadline "'2026-02-30' is not a date" task-add --problem IP-1 --responsible $A \
    --measures x --deadline 2026-02-30
refused category "'bribes' is not one of" problem-add --round IR-1 --unit FB --category bribes \
    --description x --found-at 2026-03-20
refused unit_id "unit 'U2' is not covered by round IR-1" problem-add --round IR-1 --unit U2 \
    --category money --description x --found-at 2026-03-20
refused found_at "2026-06-20 is outside the round's dates" problem-add --round IR-1 --unit FB \
    --category money --description x --found-at 2026-06-20
refused end_date "2026-01-01 is before start_date" round-add --round-no 2 --level county \
    --team x --leader $B --start 2026-03-01 --end 2026-01-01 --unit FB
refused units "unit 'U2' is outside your scope" round-add --round-no 2 --level county --team x \
    --leader $B --start 2026-03-01 --end 2026-04-01 --unit U2 --scope U1
refused id "no rectification task 'RT-1' in your scope" reopen RT-1 --reason x --scope U2
refused status "task RT-1 is reopened; only a signed-off task can be re-opened" reopen RT-1 \
    --reason x
refused reason "required" sendback RT-1
refused evidence "item 1: no person" progress RT-1 --text x --evidence person:999
# progress without evidence does not allow a sign-off either
P progress RT-1 --text "口头说明" >/dev/null || fail "progress without evidence"
refused evidence "task RT-1 has no progress report with evidence since it was opened, sent back or re-opened" \
    signoff RT-1 --reason x
P progress RT-1 --text "补充照片" --evidence "照片.jpg=$H" >/dev/null || fail "progress 3"
P sendback RT-1 --reason "凭证不足" >/dev/null || fail "sendback"
P show task RT-1 | grep -q '"sendback_count": 1' || fail "sendback not counted"
# the evidence reported before the send-back does not carry over
refused evidence "task RT-1 has no progress report" signoff RT-1 --reason x
refused status "task RT-1 is sent_back; only a task with a progress report" sendback RT-1 --reason x
# scoped reads: a caller scoped to the other county sees nothing
[ "$(P list tasks --scope U2)" = "[]" ] || fail "out-of-scope list not empty"
P list tasks --scope U1 | grep -q '"id": "RT-1"' || fail "in-scope list"

# 民主生活会: a criticism item about a member takes a rectification task like a problem
M=$(P criticism-add --activity DL1 --person $A --description "落实全面从严治党主体责任不够") ||
    fail "criticism"
[ "$M" = LM-1 ] || fail "criticism id $M"
refused activity_id "'RM1' is a reminder_talk, not a democratic life meeting" criticism-add \
    --activity RM1 --person $A --description x
refused deadline "2026-03-01 is before the problem's date 2026-03-10" task-add --problem LM-1 \
    --responsible $A --measures x --deadline 2026-03-01
K2=$(P task-add --problem LM-1 --responsible $A --measures "开展专题学习" --deadline 2026-06-30) ||
    fail "task on a criticism"
refused evidence "task $K2 has no progress report" signoff $K2 --reason x
P progress $K2 --text 已整改 --evidence "学习记录.pdf=$H" >/dev/null || fail "progress on $K2"
P signoff $K2 --reason 整改到位 >/dev/null || fail "signoff $K2"
P show task $K2 | grep -q '"kind": "criticism"' || fail "task does not show its criticism item"
P show criticism LM-1 | grep -q "\"id\": \"$K2\"" || fail "criticism does not list its task"

# text in another normal form (e + combining acute) is stored as the ledger
# keeps it (NFC), so the live tables equal the replay
"$PLUMB" inspect round-add --db "$DB" --actor "$(printf 'Jose\xcc\x81')" --round-no 3 --level county \
    --team "$(printf 'Cafe\xcc\x81 组')" --leader $B --start 2026-03-01 --end 2026-03-31 --unit EB \
    >/dev/null || fail "round with NFD text"
[ "$(store_sql "$DB" "SELECT team||'|'||created_by FROM inspect_rounds WHERE round_no='3'")" = \
  "$(printf 'Caf\xc3\xa9 组|Jos\xc3\xa9')" ] || fail "NFD text not stored as NFC"

# ---- verify, tamper, rebuild
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify"; }
dump >"$T/before"
"$PLUMB" rebuild --db "$DB" >/dev/null 2>&1 || fail "rebuild"
dump >"$T/after"
diff "$T/before" "$T/after" >"$T/diff" || fail "rebuild differs: $(head -20 "$T/diff")"
[ "$(grep -c . "$T/after")" -gt 12 ] || fail "dump too small: $(cat "$T/after")"
"$PLUMB" verify --db "$DB" >/dev/null 2>&1 || fail "verify after rebuild"
for sql in "UPDATE inspect_tasks SET status='signed_off' WHERE id='RT-1'" \
    "DELETE FROM inspect_round_units WHERE unit_id='EB'" \
    "UPDATE inspect_problems SET team_notes=NULL" \
    "UPDATE inspect_rounds SET end_date='2026-12-31'" \
    "DELETE FROM inspect_task_history WHERE type='sent_back'" \
    "UPDATE inspect_handovers SET clue_id='X'" \
    "UPDATE inspect_criticisms SET raised_at='2026-01-01'"; do
    X=$(store_copy "$DB" x) || fail "copy"
    store_sql "$X" "$sql" || fail "sql $sql"
    "$PLUMB" verify --db "$X" >"$T/v" 2>&1 && fail "verify missed: $sql"
    grep -q "inspect_" "$T/v" || fail "verify message does not name the table: $(head -3 "$T/v")"
done
echo "ok"
