#!/bin/bash
# cases_workflow.sh — the whole clue workflow through the CLI with an
# injected clock (PLUMB_NOW): intake, dedupe, routing to the level above,
# disposition → verification → conclusion → name clearing → archive,
# reminders, access (recusal and scope), the office key's logged unlock,
# the portal (receipt + passphrase, proof verified against the signed
# checkpoint, rate limits), statistics with the Excel file read back, and
# `plumb verify` (replay equals the live projections).
set -u
: "${PLUMB:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
DB=$(store_new c) || exit 1
A=433127197001010017 B=43312719710202002X C=433127197203030032 D=433127197304040045
E=433127197405050058 F=433127197506060060 G=433127197607070073
mkdir -p "$T/fx/org" "$T/fx/police"
cat >"$T/fx/org/01_units.csv" <<'CSV'
id,parent_id,name,division_code,level,kind,industry
PU,,中共湘西州委,4331,prefecture,party,党委
PD,PU,湘西州纪委监委,4331,prefecture,discipline,纪检
U1,PU,中共永顺县委,433127,county,party,党委
CD,U1,永顺县纪委监委,433127,county,discipline,纪检
FB,U1,永顺县财政局,433127,county,department,财政
CSV
cat >"$T/fx/org/02_posts.csv" <<'CSV'
id,unit_id,title,rank,is_top,category,portfolio,reports_to
P1,FB,局长,section,1,finance,,
P2,FB,副局长,section,0,procurement,,P1
P3,FB,科员,staff,0,general,,P2
P4,U1,县委书记,division,1,general,,
P5,CD,县纪委书记,section,1,discipline,,
P6,CD,纪检监察员,staff,0,discipline,,P5
P7,PD,纪检监察员,staff,0,discipline,,
CSV
cat >"$T/fx/org/03_persons.csv" <<CSV
id,name,gender,birth_date,native_place
$A,王局长,M,1970-01-01,
$B,李副局长,F,1971-02-02,
$C,张科员,M,1972-03-03,
$D,赵某,F,1973-04-04,
$E,钱书记,F,1974-05-05,
$F,孙主任,F,1975-06-06,
$G,周处长,M,1976-07-07,
CSV
cat >"$T/fx/org/04_tenures.csv" <<CSV
id,person_id,post_id,start_date,end_date,decision_id
T1,$A,P1,2015-01-01,,
T2,$B,P2,2018-01-01,,
T3,$C,P3,2019-01-01,,
T4,$E,P4,2020-01-01,,
T6,$F,P6,2020-01-01,,
T7,$G,P7,2020-01-01,,
CSV
printf 'id,person_id,relative_id,relation\nK1,%s,%s,spouse\n' $A $D >"$T/fx/police/kin.csv"
export PLUMB_NOW=2026-01-05T09:00:00Z
"$PLUMB" init --db "$DB" >"$T/init" 2>&1 || fail "init"
VKEY=$(tail -1 "$T/init" | awk '{print $NF}')
"$PLUMB" import --all "$T/fx" --db "$DB" --quiet >/dev/null || fail "import"
P() { "$PLUMB" "$@" --db "$DB" --lang en; }

# intake: the top leader's clue goes to the county commission; a repeat links
P clue add --channel letter --category money --subject-person $A --summary 反映王局长 \
    --facts "王局长违规发放津贴补贴，涉及金额约20万元" --json >"$T/c1" || fail "add 1"
grep -q '"handling_unit_id":"CD","is_top":1' "$T/c1" || fail "routing: $(cat "$T/c1")"
P clue add --channel online --category money --subject-person $A --summary 再次反映 \
    --facts "王局长违规发放津贴补贴约20万元" >"$T/c2" || fail "add 2"
grep -q "merged into CL-2026-0000001" "$T/c2" || fail "dedupe: $(cat "$T/c2")"
P clue add --channel visit --category conduct --subject-person $E --summary 反映县委书记 >"$T/c3" ||
    fail "add 3"
grep -q "handling office PD (level above)" "$T/c3" || fail "top of county → prefecture"
# Chinese by default
"$PLUMB" clue list --db "$DB" | grep -q "承办机关" || fail "zh output"
P clue add --channel nowhere --category money --subject-person $A --summary x 2>"$T/err" &&
    fail "bad channel accepted"
grep -q "unknown channel" "$T/err" || fail "channel message"

# access: subject, kin, leadership team see nothing; scope limits the county officer
for who in $A $D $B; do
    n=$(P clue list --role discipline --scope U1 --as-person $who --json | grep -c '"id"')
    [ "$n" = 0 ] || fail "recused $who lists $n clues"
    P clue show CL-2026-0000001 --role discipline --scope U1 --as-person $who >/dev/null 2>&1 &&
        fail "recused $who reads the clue"
    P clue stats --role discipline --scope U1 --as-person $who | grep -q '"total": 0' ||
        fail "recused $who counts"
done
n=$(P clue list --role discipline --scope U1 --as-person $F --json | grep -c '"id"')
[ "$n" = 2 ] || fail "county officer sees $n (want 2: not the county secretary's)"
n=$(P clue list --role discipline --scope PU --as-person $G --json | grep -c '"id"')
[ "$n" = 3 ] || fail "prefecture officer sees $n"
P clue list --role auditor --scope PU >/dev/null 2>&1 && fail "auditor lists clues"

# workflow with deadlines and reminders on the injected clock
PLUMB_NOW=2026-01-30T09:00:00Z P clue remind | grep -q "reminders sent 2" || fail "due soon"
PLUMB_NOW=2026-02-06T09:00:00Z P clue remind | grep -q "reminders sent 2" || fail "overdue"
PLUMB_NOW=2026-02-06T09:00:00Z P clue remind | grep -q "reminders sent 0" || fail "repeated"
export PLUMB_NOW=2026-02-10T09:00:00Z
P clue dispose CL-2026-0000001 --method preliminary_verification --reason 问题具体 >/dev/null ||
    fail "dispose"
P clue note CL-2026-0000001 --text "调取账目" --sub-status 调账中 >/dev/null || fail "note"
P clue verify CL-2026-0000001 --reason 初核完成 >/dev/null || fail "verify"
P clue conclude CL-2026-0000001 --outcome unfounded --reason 反映失实 >/dev/null || fail "conclude"
P clue archive CL-2026-0000001 --reason 归档 2>"$T/err" && fail "archived before name clearing"
grep -q "name clearing" "$T/err" || fail "archive message"
PLUMB_NOW=2026-03-20T09:00:00Z P clue remind | grep -q "reminders sent 1" || fail "clearing overdue"
P clue clear-name CL-2026-0000001 --basis 会上澄清 >/dev/null || fail "clear name"
P clue archive CL-2026-0000001 --reason 归档 >/dev/null || fail "archive"
P clue show CL-2026-0000001 --reason 复查 >"$T/show" || fail "show"
for t in clue.received clue.routed clue.disposed clue.verified clue.concluded \
    clue.name_cleared clue.archived; do
    grep -q "\"$t\"" "$T/show" || fail "history lacks $t"
done
grep -q '"name_clearing"' "$T/show" && fail "accountability leaked into show"
[ "$(store_sql "$DB" "SELECT count(*) FROM dispositions WHERE outcome='unfounded'")" = 2 ] ||
    fail "dispositions of the group"
[ "$(store_sql "$DB" "SELECT count(*) FROM accountability WHERE measure='name_clearing'")" = 1 ] ||
    fail "name clearing recorded"
[ "$(store_sql "$DB" "SELECT count(*) FROM case_access_log WHERE kind='read'")" = 1 ] ||
    fail "the read is logged"

# sealed identity: keygen, intake, logged unlock, designated role only
export PLUMB_OFFICE_PASSPHRASE="county office passphrase"
P office keygen --office CD >/dev/null || fail "keygen"
P clue add --channel visit --category personnel --subject-person $B --summary 实名反映 \
    --real-name --reporter-person $C --reporter-identity "张科员 13800000000" >/dev/null ||
    fail "add with identity"
store_sql "$DB" "SELECT payload FROM ledger_payloads" | grep -q 13800000000 && fail "plain identity"
P office unlock --office CD --reason 核查 --clue CL-2026-0000004 >/dev/null 2>&1 &&
    fail "system role read the identity"
P office unlock --office CD --reason 核查 --clue CL-2026-0000004 --role discipline --scope U1 \
    --as-person $F 2>/dev/null | grep -q "张科员 13800000000" || fail "designated read"
PLUMB_OFFICE_PASSPHRASE=wrong P office unlock --office CD --reason x --role discipline \
    --scope U1 >/dev/null 2>&1 && fail "wrong office passphrase"
[ "$(store_sql "$DB" "SELECT count(*) FROM case_access_log WHERE kind='key_unlocked'")" = 2 ] ||
    fail "unlocks logged"
[ "$(store_sql "$DB" "SELECT count(*) FROM case_access_log WHERE kind='reporter_read'")" = 1 ] ||
    fail "identity read logged"

# portal: report, check, add, proof verified with the log key; wrong passphrase limited
printf 'my portal pass\n' >"$T/pass"
chmod 644 "$T/pass"
printf '%%PDF-1.4\n%%%%EOF\n' >"$T/evidence.pdf"
# A passphrase file others can read is refused like a key file (SECURITY.md).
P portal report --subject-unit FB --category money --summary 举报 --facts 事实 \
    --passphrase-file "$T/pass" --addr 198.51.100.7 >/dev/null 2>"$T/err" &&
    fail "passphrase file of mode 644 accepted"
grep -q "chmod 600" "$T/err" || fail "passphrase file mode message: $(cat "$T/err")"
chmod 600 "$T/pass"
printf 'MZ\x90\x00' >"$T/setup.exe"
P portal report --subject-unit FB --subject-name 王局长 --category money --summary 举报 \
    --facts "王局长让亲属承揽工程" --attach "$T/setup.exe" --passphrase-file "$T/pass" \
    --addr 198.51.100.7 2>"$T/err" && fail "exe accepted"
grep -q "not allowed" "$T/err" || fail "attachment message: $(cat "$T/err")"
P portal report --subject-unit FB --subject-name 王局长 --category money --summary 举报 \
    --facts "王局长让亲属承揽工程" --attach "$T/evidence.pdf" --passphrase-file "$T/pass" \
    --addr 198.51.100.7 >"$T/rec" || fail "portal report"
R=$(awk '{print $2}' "$T/rec")
[ ${#R} = 16 ] || fail "receipt $R"
store_dump "$DB" | grep -q 198.51.100.7 && fail "address stored"
P clue reply CL-2026-0000005 --text 已受理 >/dev/null || fail "reply"
P portal check "$R" --passphrase-file "$T/pass" --add "补充材料" --addr 198.51.100.7 >"$T/chk" ||
    fail "check"
grep -q 已受理 "$T/chk" && grep -q 补充材料 "$T/chk" && grep -q evidence.pdf "$T/chk" ||
    fail "portal view: $(cat "$T/chk")"
P portal check "$R" --passphrase-file "$T/pass" --proof --addr 198.51.100.7 >"$T/proof.json" ||
    fail "proof"
P portal verify "$T/proof.json" --log-key "$VKEY" >/dev/null || fail "proof does not verify"
sed 's/"seq": [0-9]*/"seq": 1/' "$T/proof.json" >"$T/bad.json"
P portal verify "$T/bad.json" --log-key "$VKEY" >/dev/null 2>&1 && fail "bad proof verified"
printf 'wrong pass 1\n' >"$T/wrong" && chmod 600 "$T/wrong"
for i in 1 2 3 4 5; do
    P portal check "$R" --passphrase-file "$T/wrong" --addr 203.0.113.$i >/dev/null 2>&1 &&
        fail "wrong passphrase accepted"
done
P portal check "$R" --passphrase-file "$T/pass" --addr 203.0.113.9 2>"$T/err" >/dev/null &&
    fail "not rate-limited"
grep -q "try again after" "$T/err" || fail "limit message"
PLUMB_NOW=2026-02-10T10:00:01Z P portal check "$R" --passphrase-file "$T/pass" \
    --addr 203.0.113.9 >/dev/null || fail "limit resets after the hour"

# statistics and the Excel file
P clue stats --json >"$T/stats" || fail "stats"
grep -q '"total": 5' "$T/stats" || fail "stats total: $(head -3 "$T/stats")"
P clue stats --xlsx "$T/s.xlsx" >/dev/null || fail "xlsx"
unzip -p "$T/s.xlsx" xl/workbook.xml | grep -q 'name="category"' || fail "xlsx sheets"
unzip -p "$T/s.xlsx" xl/sharedStrings.xml | grep -q 用财 || fail "xlsx labels"
P clue check >/dev/null || fail "clue check"
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify"; }
"$PLUMB" rebuild --db "$DB" >/dev/null 2>&1 || fail "rebuild"
"$PLUMB" verify --db "$DB" >/dev/null 2>&1 || fail "verify after rebuild"
echo "cases_workflow: 1 passed, 0 failed"
