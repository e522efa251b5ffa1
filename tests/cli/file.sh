#!/usr/bin/env bash
# file.sh — `plumb file`: the integrity file from the command line on a
# hand-written store (docs/DECLARE.md "Integrity file"). Expected by hand:
# unit UA was led by S from 2010-01-01 to 2020-01-01 (end exclusive) and by
# T from 2020-01-01; three decisions of UA without a meeting (R05, about the
# unit) dated 2015-05-05, 2020-01-01 and 2021-03-03: S's file holds the
# first only, T's the other two (the day S left is T's). Also: money in 元,
# labels, both languages, the PDF with its footer, and bad input (one line,
# exit 1, nothing written). On both engines (helpers/store_lib.sh).
set -u
: "${PLUMB:?PLUMB must point at the plumb binary}" "${PLUMB_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# (store_lib's $T is the temp dir; below T is a person, so the store is
# named first)
T=$tmp
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
db=$(store_new p) || exit 1
export PLUMB_LANG=zh LANG=C.UTF-8
S=110101197001010016 K=110101197202020026 T=110101198003030031 C1=91110101MA00000018
d="$tmp/data"
mkdir -p "$d/org" "$d/police" "$d/market" "$d/meetings" "$d/declarations" "$d/clues"
cat >"$d/org/units.csv" <<EOF
id,parent_id,name,division_code,level,kind,industry
U0,,东城县委,110101,county,party,党委
UA,U0,东城县财政局,110101,county,department,财政
EOF
cat >"$d/org/persons.csv" <<EOF
id,name,gender,birth_date,native_place
$S,张三,M,1970-01-01,110101
$K,李四,F,1972-02-02,
$T,王五,M,1980-03-03,
EOF
cat >"$d/org/posts.csv" <<EOF
id,unit_id,title,rank,is_top,category,portfolio,reports_to
PS,UA,局长,section,1,general,,
EOF
cat >"$d/org/tenures.csv" <<EOF
id,person_id,post_id,start_date,end_date,decision_id
TS,$S,PS,2010-01-01,2020-01-01,
TT,$T,PS,2020-01-01,,
EOF
cat >"$d/police/kin.csv" <<EOF
id,person_id,relative_id,relation
KIN1,$S,$K,spouse
EOF
cat >"$d/market/companies.csv" <<EOF
id,name,legal_rep_id,registered_at
$C1,东城建材有限公司,$K,2015-05-05
EOF
cat >"$d/market/company_roles.csv" <<EOF
id,company_id,person_id,role,share_bp,start_date,end_date
CR1,$C1,$K,shareholder,5000,2015-05-05,
EOF
cat >"$d/meetings/decisions.csv" <<EOF
id,unit_id,meeting_id,category,subject,amount_fen,appointee_id,integrity_opinion,votes_for,result,decided_at
D1,UA,,large_fund,维修资金甲,80000000,,,,approved,2015-05-05
D2,UA,,large_fund,维修资金乙,80000000,,,,approved,2020-01-01
D3,UA,,large_fund,维修资金丙,80000000,,,,approved,2021-03-03
EOF
cat >"$d/declarations/declarations.csv" <<EOF
id,person_id,year,filed_at
DEC1,$S,2019,2020-01-20
EOF
cat >"$d/declarations/declaration_items.csv" <<EOF
id,declaration_id,kind,holder_id,ref,amount_fen,detail
DI1,DEC1,income,$S,工资,12345678,年度工资
EOF
cat >"$d/clues/clues.csv" <<EOF
id,channel,received_at,subject_person_id,subject_unit_id,category,summary,real_name
CL1,letter,2019-04-01,$S,UA,money,反映违规发包,0
EOF

"$PLUMB" init --db "$db" --origin plumbline.test/file >/dev/null || fail "init"
"$PLUMB" import --db "$db" --all "$d" --quiet --as-of 2022-01-01 >/dev/null 2>&1 || fail "import"

"$PLUMB" file --help | grep -q -- "--format" || fail "help"

# S: the 2015 finding of the unit, not the 2020 and 2021 ones.
"$PLUMB" file "$S" --db "$db" >"$tmp/s.json" || fail "file S exit $?"
r5=$(store_sql "$db" "SELECT key FROM findings WHERE rule='R05' ORDER BY key" | tr '\n' ' ')
[ "$r5" = "D1 D2 D3 " ] || fail "fixture: R05 findings on D1 D2 D3, got '$r5'"
fid() { store_sql "$db" "SELECT id FROM findings WHERE rule='R05' AND key='$1'"; }
got=$(node -e 'const f=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(f.findings.filter(x=>x.rule==="R05").map(x=>x.id+"@"+x.fact_date+"@"+x.about).sort().join(" "))' "$tmp/s.json")
[ "$got" = "$(fid D1)@2015-05-05@unit" ] || fail "S's findings: '$got'"
"$PLUMB" file "$T" --db "$db" >"$tmp/t.json" || fail "file T"
got=$(node -e 'const f=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(f.findings.filter(x=>x.rule==="R05").map(x=>x.id).sort().join(" "))' "$tmp/t.json")
want=$(printf '%s\n' "$(fid D2)" "$(fid D3)" | sort | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || fail "T's findings: '$got', want '$want'"

# Text: names, labels, money in 元, the clue, the spouse's company.
"$PLUMB" file "$S" --db "$db" --format text >"$tmp/s.txt" || fail "text"
for w in "廉政档案 · 张三" "东城县财政局 局长 (一把手)" "配偶 李四" "东城建材有限公司 股东 50.00%" \
  "123,456.78 元" "[CL1] 2019-04-01 来信 · 用财 · 反映违规发包" "R05 " "事实日期 2015-05-05" \
  "检查点: 尚未签署检查点"; do
  grep -qF -- "$w" "$tmp/s.txt" || fail "text lacks '$w'"
done
"$PLUMB" file "$S" --db "$db" --format text --lang en >"$tmp/s.en" || fail "text en"
for w in "Integrity file · 张三" "spouse 李四" "123,456.78 yuan" "letter · use of money" "Checkpoint: none signed yet"; do
  grep -qF -- "$w" "$tmp/s.en" || fail "English text lacks '$w'"
done

# The PDF: no checkpoint, then the checkpoint's root in the footer.
"$PLUMB" file "$S" --db "$db" --format pdf -o "$tmp/a.pdf" || fail "pdf"
pdftotext "$tmp/a.pdf" - | grep -q "尚未签署检查点" || fail "pdf footer without checkpoint"
root=$("$PLUMB" checkpoint --db "$db" | sed -n 3p)
[ ${#root} -eq 44 ] || fail "checkpoint root '$root'"
"$PLUMB" file "$S" --db "$db" --format pdf -o "$tmp/b.pdf" || fail "pdf 2"
pdftotext "$tmp/b.pdf" - | tr -d ' \n' | grep -qF -- "$root" || fail "pdf footer lacks root $root"
pdffonts "$tmp/b.pdf" | grep -q "NotoSansCJK.*yes *yes *yes" || fail "no embedded CJK font"
pdfinfo "$tmp/b.pdf" | grep -q "A4" || fail "not A4"

# Bad input: one line naming what is wrong, exit 1, no file written.
before=$(store_sql "$db" "SELECT count(*) FROM ledger_events")
"$PLUMB" file 110101190001010000 --db "$db" >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] || fail "unknown person: exit $rc"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "110101190001010000: 无此人" "$tmp/err" || fail "unknown person: $(cat "$tmp/err")"
"$PLUMB" file "$S" --db "$db" --format xml >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] && grep -q -- "--format" "$tmp/err" || fail "bad format: exit $rc $(cat "$tmp/err")"
"$PLUMB" file "$S" --db "$db" --format pdf >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 1 ] && grep -q -- "-o" "$tmp/err" || fail "pdf without -o: exit $rc"
"$PLUMB" file --db "$db" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 1 ] || fail "no id: exit $rc"
"$PLUMB" file "$S" --db "$tmp/none.db" >/dev/null 2>&1; rc=$?
[ "$rc" -eq 1 ] || fail "no store: exit $rc"
[ ! -e "$tmp/none.db" ] || fail "a store was created"
[ "$(store_sql "$db" "SELECT count(*) FROM ledger_events")" = "$before" ] || fail "a read wrote events"
echo "file.sh: ok"
