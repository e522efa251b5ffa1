#!/usr/bin/env bash
# report_round.sh — `plumb report round` (issue #18 item 6, docs/DECLARE.md
# "Round report") on the hand-planted household of declare_rounds.sh.
# Expected by hand from the class table of docs/DECLARE.md (the same table
# declare_rounds.sh checks the comparison against): with every declaration
# drawn (rate 100 %), D1 has match 2, tolerance 1, omission 3, concealment
# 2, unexplained 1, not compared 1 (income), score 58; D2 match 1 (房3) +
# income; D3 omission 1 (the undeclared car, score 5) + income; D4 income
# only. So: population 4, drawn 4, compared 3 (D4 has no line but income),
# lines match 3 / tolerance 1 / omission 4 / concealment 2 / unexplained 1 /
# not compared 4, scores 0: 2, 1-9: 1, 50+: 1, ranked D1 D3 D2 D4. Then P3
# files a correction (补报) inside the window and two conclusions are
# recorded. A round at the default rate (10 %) checks random vs focus
# against the sample table. PDF (CJK font, checkpoint root) and XLSX (read
# back independently). PLUMB_DB_URL runs it on PostgreSQL (pg_report.sh).
set -u
: "${PLUMB:?PLUMB must point at the plumb binary}" "${PLUMB_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export PLUMB_LANG=zh LANG=C.UTF-8
db="${PLUMB_DB_URL:-$tmp/p.db}"
if [ -n "${PLUMB_DB_URL:-}" ]; then export PLUMB_STATE_DIR="$tmp/state"; fi
sq() { "$PLUMB" sql --db "$db" "$1" 2>/dev/null; }
sheets() { python3 "$PLUMB_SRC/tests/tools/xlsx_sheets.py" "$1"; }
P1=110101197001010016 K1=110101197202020026 C1=110101201205050027 C2=110101199506060026
P2=110101197503030033 P3=110101198004040047 P4=110101198208080059 CO=91110101MA00000018
d="$tmp/data"
mkdir -p "$d/org" "$d/police" "$d/market" "$d/realestate" "$d/securities" "$d/vehicles" \
  "$d/declarations" "$d/clues"
cat >"$d/org/units.csv" <<CSV
id,parent_id,name,division_code,level,kind,industry
U0,,东城县委,110101,county,party,党委
UA,U0,东城县财政局,110101,county,department,财政
UB,U0,东城县教育局,110101,county,department,教育
CSV
cat >"$d/org/persons.csv" <<CSV
id,name,gender,birth_date,native_place
$P1,张一,M,1970-01-01,110101
$K1,李一,F,1972-02-02,
$C1,张小一,F,2012-05-05,
$C2,张大一,F,1995-06-06,
$P2,王二,M,1975-03-03,
$P3,赵三,M,1980-04-04,
$P4,钱四,M,1982-08-08,
CSV
cat >"$d/org/posts.csv" <<CSV
id,unit_id,title,rank,is_top,category,portfolio,reports_to
PA1,UA,局长,section,1,general,,
PA2,UA,副局长,section,0,finance,,PA1
PB1,UB,局长,section,1,general,,
PB2,UB,副局长,section,0,general,,PB1
CSV
cat >"$d/org/tenures.csv" <<CSV
id,person_id,post_id,start_date,end_date,decision_id
T1,$P1,PA1,2018-01-01,,
T2,$P3,PA2,2019-01-01,,
T3,$P2,PB1,2017-01-01,,
T4,$P4,PB2,2020-01-01,,
CSV
cat >"$d/police/kin.csv" <<CSV
id,person_id,relative_id,relation
KN1,$P1,$K1,spouse
KN2,$P1,$C1,child
KN3,$P1,$C2,child
CSV
cat >"$d/market/companies.csv" <<CSV
id,name,legal_rep_id,registered_at
$CO,东城建材有限公司,$K1,2019-05-05
CSV
cat >"$d/market/company_roles.csv" <<CSV
id,company_id,person_id,role,share_bp,start_date,end_date
CR1,$CO,$K1,shareholder,5000,2019-05-05,2023-06-30
CSV
cat >"$d/market/registry_records.csv" <<CSV
id,source,kind,holder_id,ref,amount_fen,observed_at,detail
R7,market,company_role,$K1,$CO,,2019-05-05,
CSV
cat >"$d/realestate/registry_records.csv" <<CSV
id,source,kind,holder_id,ref,amount_fen,observed_at,detail
R1,real_estate,real_estate,$P1,房1,,2015-03-03,
R5,real_estate,real_estate,$K1,房2,,2024-04-01,
R8,real_estate,real_estate,$C2,房4,,2021-01-01,
R11,real_estate,real_estate,$P1,房5,,2025-02-01,
R12,real_estate,real_estate,$P2,房3,,2016-01-01,
CSV
cat >"$d/securities/registry_records.csv" <<CSV
id,source,kind,holder_id,ref,amount_fen,observed_at,detail
R2,securities,securities,$P1,A1,1000000,2020-01-01,
R3,securities,securities,$K1,A2,2000000,2020-01-01,
R9,securities,securities,$P1,A3,100000000,2022-01-01,
CSV
cat >"$d/vehicles/registry_records.csv" <<CSV
id,source,kind,holder_id,ref,amount_fen,observed_at,detail
R4,vehicles,vehicle,$K1,湘A10001,,2020-05-05,
R13,vehicles,vehicle,$P3,湘A20002,,2021-05-05,
CSV
cat >"$d/police/registry_records.csv" <<CSV
id,source,kind,holder_id,ref,amount_fen,observed_at,detail
R6,police,exit_abroad,$C1,E20240715,,2024-07-15,
R10,police,exit_abroad,$P1,E20230501,,2023-05-01,
CSV
cat >"$d/declarations/declarations.csv" <<CSV
id,person_id,year,filed_at
D1,$P1,2024,2025-01-20
D2,$P2,2024,2025-01-21
D3,$P3,2024,2025-01-22
D4,$P4,2024,2025-01-23
CSV
cat >"$d/declarations/declaration_items.csv" <<CSV
id,declaration_id,kind,holder_id,ref,amount_fen,detail
I1,D1,real_estate,$P1,房1,,
I2,D1,securities,$P1,A1,960000,
I3,D1,securities,$K1,A2,1400000,
I4,D1,vehicle,$P1,湘A99999,,
I5,D1,marriage,$P1,已婚,,
I6,D1,income,$P1,工资,20000000,
I7,D2,real_estate,$P2,房3,,
I8,D2,income,$P2,工资,18000000,
I9,D3,income,$P3,工资,15000000,
I10,D4,income,$P4,工资,15000000,
CSV
cat >"$d/clues/clues.csv" <<CSV
id,channel,received_at,subject_person_id,subject_unit_id,category,summary,real_name
CL1,letter,2024-03-01,$P3,UA,money,反映问题,0
CSV

export PLUMB_NOW=2025-03-01T09:00:00Z
"$PLUMB" init --db "$db" --origin plumbline.test/report-round >/dev/null || fail "init"
"$PLUMB" import --db "$db" --all "$d" --quiet --as-of 2025-03-01 >"$tmp/imp" 2>&1 || fail "import: $(head -5 "$tmp/imp")"

# --- DR-1 at the default rate (10 % of 4 = 1 random) with P2 a candidate and
# P3 under an open clue: random vs focus as the draw recorded them
r1=$("$PLUMB" declare round --db "$db" --year 2024 --unit U0 --candidate $P2) || fail "round 1"
"$PLUMB" declare draw "$r1" --db "$db" >/dev/null 2>"$tmp/err" || fail "draw 1: $(cat "$tmp/err")"
"$PLUMB" report round "$r1" --db "$db" --json >"$tmp/r1.json" || fail "report round 1"
rnd=$(sq "SELECT count(*) FROM declaration_round_sample WHERE round_id='$r1' AND basis='random'")
cand=$(sq "SELECT count(*) FROM declaration_round_sample WHERE round_id='$r1' AND basis='candidate'")
clue=$(sq "SELECT count(*) FROM declaration_round_sample WHERE round_id='$r1' AND basis='open_clue'")
[ "$rnd" = 1 ] || fail "fixture: one random declaration, got $rnd"
python3 - "$tmp/r1.json" "$rnd" "$cand" "$clue" <<'PY' || fail "round 1 drawn counts"
import json, sys
r = json.load(open(sys.argv[1])); rnd, cand, clue = map(int, sys.argv[2:5])
d = r["drawn"]
assert r["population"] == 4, r["population"]
assert (d["random"], d["candidate"], d["open_clue"]) == (rnd, cand, clue), d
assert d["focus"] == cand + clue and d["total"] == rnd + cand + clue, d
# by hand: D2 and D3 are focus unless the random pick is one of them
assert d["total"] in (2, 3) and d["focus"] in (1, 2), d
PY

# --- DR-2 draws every declaration
"$PLUMB" profile set all-drawn --param decl_sample_pct=100 --reason 全面核查 --db "$db" >/dev/null 2>&1 || fail "profile"
r=$("$PLUMB" declare round --db "$db" --year 2024 --unit U0) || fail "round 2"
"$PLUMB" declare draw "$r" --db "$db" >/dev/null || fail "draw 2"
"$PLUMB" report round "$r" --db "$db" --json >"$tmp/r2.json" || fail "report round 2"
python3 - "$tmp/r2.json" <<'PY' || fail "round 2 summary differs from the hand-written table"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["population"] == 4 and r["drawn"]["total"] == 4 and r["drawn"]["random"] == 4, r["drawn"]
assert r["compared"] == 3, r["compared"]
assert r["classes"] == {"match": 3, "tolerance": 1, "omission": 4, "concealment": 2,
                        "unexplained": 1, "not_compared": 4}, r["classes"]
dist = {b["band"]: b["declarations"] for b in r["score_distribution"]}
assert dist == {"0": 2, "1-9": 1, "10-29": 0, "30-49": 0, "50+": 1}, dist
assert [(x["declaration_id"], x["score"], x["name"]) for x in r["ranked"]] == \
    [("D1", 58, "张一"), ("D3", 5, "赵三"), ("D2", 0, "王二"), ("D4", 0, "钱四")], r["ranked"]
assert r["conclusions"]["recorded"] == 0 and r["conclusions"]["pending"] == 4, r["conclusions"]
assert r["corrections"]["count"] == 0 and r["corrections"]["window_end"] == "2025-03-31", r["corrections"]
assert r["round"]["unit_name"] == "东城县委"
PY

# --- 补报 inside the window (2025-03-05), then two conclusions
export PLUMB_NOW=2025-03-10T09:00:00Z
mkdir -p "$tmp/corr"
printf 'id,person_id,year,filed_at\nD3B,%s,2024,2025-03-05\n' "$P3" >"$tmp/corr/declarations.csv"
printf 'id,declaration_id,kind,holder_id,ref,amount_fen,detail\nI11,D3B,vehicle,%s,湘A20002,,补报\n' "$P3" >"$tmp/corr/declaration_items.csv"
"$PLUMB" import --db "$db" --source declarations "$tmp/corr/declarations.csv" "$tmp/corr/declaration_items.csv" --quiet --as-of 2025-03-10 >"$tmp/imp" 2>&1 || fail "import correction: $(head -3 "$tmp/imp")"
"$PLUMB" declare conclude D3 --db "$db" --conclusion truthful --reason 已补报 >/dev/null || fail "conclusion D3"
export PLUMB_NOW=2025-04-01T09:00:00Z
"$PLUMB" declare conclude D1 --db "$db" --conclusion concealment --reason 隐瞒房产 >/dev/null || fail "conclusion D1"
root=$("$PLUMB" checkpoint --db "$db" | sed -n 3p)
[ ${#root} -eq 44 ] || fail "checkpoint root '$root'"
"$PLUMB" report round "$r" --db "$db" --xlsx "$tmp/r.xlsx" || fail "xlsx"
sheets "$tmp/r.xlsx" >"$tmp/r.json" || fail "xlsx reads back"
python3 - "$tmp/r.json" "$root" <<'PY' || fail "the round XLSX differs from the hand-written table"
import json, sys
w = json.load(open(sys.argv[1])); root = sys.argv[2]
sheets = ["概况", "比对分类", "得分分布", "排名", "结论", "补报"]
assert [k for k in w if not k.startswith("_")] == sheets, list(w)
for s in sheets:
    assert w["_frozen"][s] == "A2" and w["_bold_header"][s], s
summary = dict((x[0], x[1]) for x in w["概况"][1:])
assert summary["应报告总体（份）"] == 4 and summary["抽取（份）"] == 4, summary
assert summary["已作结论"] == 2 and summary["待作结论"] == 2, summary
assert summary["窗口内补报（份）"] == 1 and summary["补报窗口"] == "2025-03-01 — 2025-03-31", summary
assert root in summary["所依据的检查点"], summary
# after the correction D3's car is declared: one omission fewer, one match more
cls = dict((x[0], x[1]) for x in w["比对分类"][1:])
assert cls == {"一致": 4, "容差内": 1, "漏报": 3, "瞒报": 2, "待说明": 1, "未比对": 4}, cls
concl = dict((x[0], x[1]) for x in w["结论"][1:])
assert concl == {"如实": 1, "漏报": 0, "瞒报": 1, "待作结论": 2}, concl
assert [x[1:] for x in w["补报"][1:]] == [["D3B"]], w["补报"]
ranked = [(x[1], x[4], x[-1]) for x in w["排名"][1:]]
assert ranked == [("D1", 58, "瞒报"), ("D2", 0, "待定"), ("D3", 0, "如实"), ("D4", 0, "待定")], ranked
PY
"$PLUMB" report round "$r" --db "$db" --pdf "$tmp/r.pdf" || fail "pdf"
pdffonts "$tmp/r.pdf" | grep -q "NotoSansCJK.*yes *yes *yes" || fail "no embedded CJK font"
pdftotext "$tmp/r.pdf" - | tr -d ' \n' >"$tmp/r.txt"
for w in 个人有关事项报告抽查核实情况报告 张一 瞒报 随机抽查 "$root"; do
  grep -qF -- "$w" "$tmp/r.txt" || fail "pdf lacks '$w'"
done
"$PLUMB" report round "$r" --db "$db" --pdf "$tmp/en.pdf" --lang en || fail "pdf en"
pdftotext "$tmp/en.pdf" - | grep -q "Declaration check round report" || fail "English title"

# --- bad input: exit 1, one line naming the field, nothing written
"$PLUMB" report round DR-99 --db "$db" --xlsx "$tmp/x.xlsx" 2>"$tmp/err"
[ $? -eq 1 ] || fail "unknown round: exit 1"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "id" "$tmp/err" || fail "unknown round: $(cat "$tmp/err")"
[ ! -e "$tmp/x.xlsx" ] || fail "a refused report wrote its file"
"$PLUMB" report round "$r" --db "$db" --from 2020-01-01 --json >/dev/null 2>&1
[ $? -eq 1 ] || fail "round with --from: exit 1"
echo ok
