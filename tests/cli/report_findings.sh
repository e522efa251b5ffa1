#!/usr/bin/env bash
# report_findings.sh — `plumb report findings` (issue #18 item 6, docs/API.md
# "Reports") on a hand-written store. Expected by hand, from the fixture and
# the rules' documented triggers (docs/RULES.md): decisions without a meeting
# D1 (UA, 2020-01-15), D2 (UA, 2020-03-03), D3 (UB, 2021-02-02), D4 (UA,
# 2019-06-06) → R05 high; payments without a decision over the county's
# 500,000 元 P1 (UA, 600,000 元, 2020-03-10) and P2 (UB, 800,000 元,
# 2021-02-20) → R07 high; P3 (UA, 50,000 元, 2021-06-15) to the company of
# the UA leader's spouse → R04 low (< 100,000 元). A finding is dated by
# its fact date, the dashboard's (docs/RULES.md "Trend dates", one
# definition): R05 the decision's decided_at, R07 the payment's paid_at, R04
# the latest paid_at/signed_at cited (P3); the yearly rules by 1 January of
# the year in their key: R16 for the leaders' missing 2019 and 2020
# declarations (S in UA, T in UB) and R19 for their missing 2020 and 2021
# 述责述廉 (high: both parts missing); R01 by the start of the tenure cited
# (TS 2010-01-01, TT 2012-01-01); only R15 (an absence) by the day found.
# The sweep runs on 2022-01-01: a report that used the sweep date would find
# none of the dated ones in 2020-2021. The report's count per month equals
# `plumb dashboard --json`'s by_month (and, for the UA reader over HTTP,
# GET /api/v1/dashboard's) for the same months. Also the PDF (CJK font embedded, rule names, the checkpoint
# root), the XLSX read back by an independent reader (tests/tools/
# xlsx_sheets.py), --unit, both languages, and bad input (one line, exit 1,
# no file written). Over HTTP (`plumb serve`): a reader scoped to UA gets
# UA's rows only, and UB as unit_id is a 404 naming it. PLUMB_DB_URL runs
# it all on PostgreSQL (pg_report.sh), the scoped SQL of the API included.
set -u
: "${PLUMB:?PLUMB must point at the plumb binary}" "${PLUMB_SRC:?}"
tmp=$(mktemp -d)
SERVER=
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export PLUMB_LANG=zh LANG=C.UTF-8
db="${PLUMB_DB_URL:-$tmp/p.db}"
if [ -n "${PLUMB_DB_URL:-}" ]; then export PLUMB_STATE_DIR="$tmp/state"; fi
sq() { "$PLUMB" sql --db "$db" "$1" 2>/dev/null; }
sheets() { python3 "$PLUMB_SRC/tests/tools/xlsx_sheets.py" "$1"; }
S=110101197001010016 K=110101197202020026 T=110101198003030031
C1=91110101MA00000018 C2=91433127MA4L00011W
d="$tmp/data"
mkdir -p "$d/org" "$d/police" "$d/market" "$d/meetings" "$d/finance"
cat >"$d/org/units.csv" <<CSV
id,parent_id,name,division_code,level,kind,industry
U0,,东城县委,110101,county,party,党委
UA,U0,东城县财政局,110101,county,department,财政
UB,U0,东城县教育局,110101,county,department,教育
CSV
cat >"$d/org/persons.csv" <<CSV
id,name,gender,birth_date,native_place
$S,张三,M,1970-01-01,110101
$K,李四,F,1972-02-02,
$T,王五,M,1980-03-03,
CSV
cat >"$d/org/posts.csv" <<CSV
id,unit_id,title,rank,is_top,category,portfolio,reports_to
PS,UA,局长,section,1,general,,
PT,UB,局长,section,1,general,,
CSV
cat >"$d/org/tenures.csv" <<CSV
id,person_id,post_id,start_date,end_date,decision_id
TS,$S,PS,2010-01-01,,
TT,$T,PT,2012-01-01,,
CSV
cat >"$d/police/kin.csv" <<CSV
id,person_id,relative_id,relation
KIN1,$S,$K,spouse
CSV
cat >"$d/market/companies.csv" <<CSV
id,name,legal_rep_id,registered_at
$C1,东城建材有限公司,$K,2015-05-05
$C2,东城工程有限公司,,2010-01-01
CSV
cat >"$d/market/company_roles.csv" <<CSV
id,company_id,person_id,role,share_bp,start_date,end_date
CR1,$C1,$K,shareholder,5000,2015-05-05,
CSV
cat >"$d/meetings/decisions.csv" <<CSV
id,unit_id,meeting_id,category,subject,amount_fen,appointee_id,integrity_opinion,votes_for,result,decided_at
D1,UA,,major_decision,维修方案甲,,,,,approved,2020-01-15
D2,UA,,major_decision,维修方案乙,,,,,approved,2020-03-03
D3,UB,,major_decision,校舍方案,,,,,approved,2021-02-02
D4,UA,,major_decision,旧方案,,,,,approved,2019-06-06
CSV
cat >"$d/finance/payments.csv" <<CSV
id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id
P1,UA,$C2,,60000000,2020-03-10,工程款,,
P2,UB,$C2,,80000000,2021-02-20,工程款,,
P3,UA,$C1,,5000000,2021-06-15,材料款,,
CSV
"$PLUMB" init --db "$db" --origin plumbline.test/report >/dev/null || fail "init"
"$PLUMB" import --db "$db" --all "$d" --quiet --as-of 2022-01-01 >"$tmp/imp" 2>&1 || fail "import: $(head -5 "$tmp/imp")"
"$PLUMB" report --help | grep -q -- "--xlsx" || fail "help"
got=$(sq "SELECT rule||':'||key FROM findings WHERE rule IN ('R04','R05','R07') ORDER BY 1" | tr '\n' ' ')
[ "$got" = "R04:$S|$C1 R05:D1 R05:D2 R05:D3 R05:D4 R07:P1 R07:P2 " ] || fail "fixture: the planted findings are '$got'"
got=$(sq "SELECT f.rule||':'||f.key||':'||fe.ref FROM findings f JOIN finding_evidence fe ON fe.finding_id=f.id WHERE f.rule='R01' ORDER BY 1" | tr '\n' ' ')
[ "$got" = "R01:TS:tenures:TS R01:TT:tenures:TT " ] || fail "fixture: the R01 findings are '$got'"
got=$(sq "SELECT rule||':'||key||':'||severity||':'||unit_id FROM findings WHERE rule IN ('R16','R19') ORDER BY 1" | tr '\n' ' ')
[ "$got" = "R16:$S|2019:high:UA R16:$S|2020:high:UA R16:$T|2019:high:UB R16:$T|2020:high:UB R19:TS|2020:high:UA R19:TS|2021:high:UA R19:TT|2020:high:UB R19:TT|2021:high:UB " ] ||
  fail "fixture: the yearly findings are '$got'"

# --- the XLSX, read back: counts by rule, severity, unit and month
"$PLUMB" report findings --db "$db" --from 2020-01-01 --to 2021-12-31 --xlsx "$tmp/a.xlsx" || fail "xlsx"
sheets "$tmp/a.xlsx" >"$tmp/a.json" || fail "xlsx does not read back"
python3 - "$tmp/a.json" <<'PY' || fail "the XLSX counts differ from the hand-written table"
import json, sys
w = json.load(open(sys.argv[1]))
want_sheets = ["概况", "按单位", "按规则", "按严重程度", "按月趋势", "重点单位", "重点干部", "预警与任务"]
assert [k for k in w if not k.startswith("_")] == want_sheets, list(w)
for s in want_sheets:
    assert w["_frozen"][s] == "A2", (s, w["_frozen"][s])
    assert w["_bold_header"][s], s
rules = {r[0]: r[1:] for r in w["按规则"][1:]}
# rule: name, findings, open, closed, high, medium, low, 元
want = {"R04": ["亲属经商", 1, 1, 0, 0, 0, 1, 50000],
        "R05": ["未集体决策", 3, 3, 0, 3, 0, 0, 0],
        "R07": ["大额资金无集体决策", 2, 2, 0, 2, 0, 0, 1400000],
        "R16": ["个人事项迟报漏报", 2, 2, 0, 2, 0, 0, 0],
        "R19": ["述责述廉或谈心谈话缺失", 4, 4, 0, 4, 0, 0, 0]}
assert rules == want, rules
sev = {r[0]: r[1] for r in w["按严重程度"][1:]}
assert sev == {"高": 11, "中": 0, "低": 1}, sev
units = {r[0]: (r[1], r[7]) for r in w["按单位"][1:]}
assert units == {"东城县财政局": (7, 650000), "东城县教育局": (5, 800000)}, units
months = {r[0]: r[1] for r in w["按月趋势"][1:] if r[1]}
# By the Trend dates table (was, under the report's own dating — 31 Dec for
# the yearly rules: 2020-01 1, 2020-12 4, 2021-12 2, 24 months):
# 2020-01: D1 (R05 2020-01-15) + R16 S|2020, T|2020 + R19 TS|2020, TT|2020
#          (1 January of the key's year) = 5
# 2020-03: D2 (R05 2020-03-03) + P1 (R07 2020-03-10) = 2
# 2021-01: R19 TS|2021, TT|2021 = 2
# 2021-02: D3 (R05 2021-02-02) + P2 (R07 2021-02-20) = 2
# 2021-06: P3 (R04 2021-06-15) = 1
# (D4 2019-06-06 and R16 …|2019 → 2019-01-01 are before the period.)
assert months == {"2020-01": 5, "2020-03": 2, "2021-01": 2, "2021-02": 2, "2021-06": 1}, months
# From the first to the last month with a finding (2020-01..2021-06), gaps
# as 0: 18 months (was 24, to 2021-12, the old R19 …|2021 date).
assert len(w["按月趋势"]) - 1 == 18, "every month 2020-01..2021-06, gaps as 0"
assert [r[1] for r in w["重点单位"][1:]] == ["东城县财政局", "东城县教育局"], w["重点单位"]
summary = dict((r[0], r[1]) for r in w["概况"][1:])
assert summary["预警发现"] == 12 and summary["涉及金额（元）"] == 1450000, summary
assert summary["所依据的检查点"] == "尚未签署检查点", summary
PY

# --- by the date of the facts, not of the sweep: 2022 holds only the findings
# with no date of their own (R15, first seen 2022-01-01). R01 was here under
# the report's own dating (first_seen); by the Trend dates table it is the
# start of the tenure cited (2010, 2012), so it is in neither period.
"$PLUMB" report findings --db "$db" --from 2022-01-01 --to 2022-12-31 --json >"$tmp/b.json" || fail "json 2022"
want=$(sq "SELECT count(*) FROM findings WHERE rule IN ('R15')")
[ "$want" -gt 0 ] || fail "fixture: no R15 finding"
python3 - "$tmp/b.json" "$want" <<'PY' || fail "2022 period"
import json, sys
r = json.load(open(sys.argv[1]))
assert sorted(x["rule"] for x in r["by_rule"]) == ["R15"], r["by_rule"]
assert [m["month"] for m in r["by_month"]] == ["2022-01"], r["by_month"]
assert r["totals"]["findings"] == int(sys.argv[2]), (r["totals"], sys.argv[2])
PY

# --- the report's count per month is the dashboard's trend (one fact date,
# docs/RULES.md "Trend dates"): the whole store, the 24 months of two
# dashboards (as of 2020-12 and 2021-12) against a report of 2020-2021
# (the months it leaves out, after 2021-06, count 0 on both sides); and a
# window of 2010-2012 where only the dashboard's R01 (tenure starts) fall.
"$PLUMB" report findings --db "$db" --from 2020-01-01 --to 2021-12-31 --json >"$tmp/r2.json" || fail "json 2020-2021"
"$PLUMB" report findings --db "$db" --from 2010-01-01 --to 2012-12-31 --json >"$tmp/r10.json" || fail "json 2010-2012"
for a in 2010-12-01 2011-12-01 2012-12-01 2020-12-01 2021-12-01; do
  "$PLUMB" dashboard --db "$db" --json --as-of "$a" >"$tmp/d$a.json" || fail "dashboard --as-of $a"
done
python3 - "$tmp" <<'PY' || fail "the report's months differ from the dashboard's trend"
import json, sys, os
t = sys.argv[1]
def report(f):
    return {m["month"]: m["findings"] for m in json.load(open(os.path.join(t, f)))["by_month"]}
def dash(*asof):
    out = {}
    for a in asof:
        for m in json.load(open(os.path.join(t, "d%s.json" % a)))["findings"]["by_month"]:
            out[m["month"]] = m["total"]
    return out
for rep, ds in ((report("r2.json"), dash("2020-12-01", "2021-12-01")),
                (report("r10.json"), dash("2010-12-01", "2011-12-01", "2012-12-01"))):
    assert ds and sum(ds.values()) > 0, ds
    for m, n in ds.items():
        assert rep.get(m, 0) == n, (m, "report", rep.get(m, 0), "dashboard", n)
    for m, n in rep.items():
        assert ds.get(m) == n, (m, "report", n, "dashboard", ds.get(m))
# By hand: R01 (the fixture's two, keys TS and TT: checked above) dates
# from the start of the tenure cited, TS 2010-01-01 and TT 2012-01-01.
r10 = {m: n for m, n in report("r10.json").items() if n}
assert r10 == {"2010-01": 1, "2012-01": 1}, r10
PY

# --- --unit: the subtree of UA only
"$PLUMB" report findings --db "$db" --from 2020-01-01 --to 2021-12-31 --unit UA --xlsx "$tmp/ua.xlsx" || fail "xlsx UA"
sheets "$tmp/ua.xlsx" >"$tmp/ua.json" || fail "xlsx UA reads back"
python3 - "$tmp/ua.json" <<'PY' || fail "--unit UA"
import json, sys
w = json.load(open(sys.argv[1]))
assert [r[0] for r in w["按单位"][1:]] == ["东城县财政局"], w["按单位"]
rules = {r[0]: r[2] for r in w["按规则"][1:]}
assert rules == {"R04": 1, "R05": 2, "R07": 1, "R16": 1, "R19": 2}, rules
assert dict((r[0], r[1]) for r in w["概况"][1:])["范围"] == "东城县财政局"
PY

# --- the PDF: CJK font embedded, rule names, the checkpoint root in the footer
root=$("$PLUMB" checkpoint --db "$db" | sed -n 3p)
[ ${#root} -eq 44 ] || fail "checkpoint root '$root'"
"$PLUMB" report findings --db "$db" --from 2020-01-01 --to 2021-12-31 --pdf "$tmp/a.pdf" || fail "pdf"
pdffonts "$tmp/a.pdf" | grep -q "NotoSansCJK.*yes *yes *yes" || fail "no embedded CJK font"
pdfinfo "$tmp/a.pdf" | grep -q "A4" || fail "not A4"
pdftotext "$tmp/a.pdf" - | tr -d ' \n' >"$tmp/a.txt" || fail "pdftotext"
for w in 监督预警情况报告 亲属经商 未集体决策 大额资金无集体决策 东城县财政局 1,450,000.00 第1/; do
  grep -qF -- "$w" "$tmp/a.txt" || fail "pdf lacks '$w'"
done
grep -qF -- "$root" "$tmp/a.txt" || fail "pdf lacks the checkpoint root $root"
"$PLUMB" report findings --db "$db" --from 2020-01-01 --to 2021-12-31 --pdf "$tmp/en.pdf" --lang en || fail "pdf en"
pdftotext "$tmp/en.pdf" - | grep -q "kin business" || fail "English pdf lacks the rule name"

# --- bad input: one line naming the field, exit 1, nothing written
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$1" "$tmp/err" || fail "message does not name $1: $(cat "$tmp/err")"; }
# a usage error: its first line names the option (the second points to --help)
usage_names() { head -1 "$tmp/err" | grep -q -- "$1" || fail "usage message does not name $1: $(cat "$tmp/err")"; }
n0=$(sq "SELECT count(*) FROM ledger_events")
"$PLUMB" report findings --db "$db" --from 2021-01-01 --to 2020-01-01 --xlsx "$tmp/x1.xlsx" 2>"$tmp/err"
[ $? -eq 1 ] || fail "from > to: exit 1"; one_line "from"
"$PLUMB" report findings --db "$db" --from 2021-02-30 --to 2021-12-31 --pdf "$tmp/x2.pdf" 2>"$tmp/err"
[ $? -eq 1 ] || fail "bad date: exit 1"; one_line "from"
"$PLUMB" report findings --db "$db" --from 2021-01-01 --to 20211231 --pdf "$tmp/x3.pdf" 2>"$tmp/err"
[ $? -eq 1 ] || fail "bad to: exit 1"; one_line "to"
"$PLUMB" report findings --db "$db" --from 2021-01-01 --to 2021-12-31 --unit UZ --pdf "$tmp/x4.pdf" 2>"$tmp/err"
[ $? -eq 1 ] || fail "unknown unit: exit 1"; one_line "unit_id"
"$PLUMB" report findings --db "$db" --from 2021-01-01 --to 2021-12-31 2>"$tmp/err"
[ $? -eq 1 ] || fail "no output: exit 1"; usage_names "xlsx"
"$PLUMB" report findings --db "$db" --to 2021-12-31 --json 2>"$tmp/err"
[ $? -eq 1 ] || fail "no --from: exit 1"; usage_names "from"
"$PLUMB" report round DR-404 --db "$db" --json 2>"$tmp/err"
[ $? -eq 1 ] || fail "unknown round: exit 1"; one_line "id"
for f in x1.xlsx x2.pdf x3.pdf x4.pdf; do [ ! -e "$tmp/$f" ] || fail "a refused report wrote $f"; done
[ "$(sq "SELECT count(*) FROM ledger_events")" = "$n0" ] || fail "a report wrote to the ledger"

# --- over HTTP: a reader scoped to UA (the scoped SQL of src/http on this engine)
PW='Correct-Horse-9battery'
out=$(echo "$PW" | "$PLUMB" user add ua-reader --role discipline_officer --scope UA --password-stdin --db "$db" 2>&1) ||
  fail "user add: $out"
SECRET=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
[ ${#SECRET} -eq 32 ] || fail "no TOTP secret: $out"
(cd "$tmp" && exec "$PLUMB" serve --db "$db" --port 0 --port-file "$tmp/port" --quiet 2>"$tmp/serve.log") &
SERVER=$!
for _ in $(seq 1 400); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || fail "serve did not start: $(cat "$tmp/serve.log")"
B="http://127.0.0.1:$(cat "$tmp/port")"
code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
  "import {totp} from './lib.mjs'; console.log(totp('$SECRET', Math.floor(Date.now() / 1000)))") || fail "totp"
status=$(curl -sS -c "$tmp/jar" -o "$tmp/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"username\":\"ua-reader\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
[ "$status" = 200 ] || fail "login: $status $(cat "$tmp/login.json")"
status=$(curl -sS -b "$tmp/jar" -o "$tmp/h.xlsx" -w '%{http_code}' "$B/api/v1/reports/findings.xlsx?from=2020-01-01&to=2021-12-31")
[ "$status" = 200 ] || fail "GET findings.xlsx: $status $(head -c 300 "$tmp/h.xlsx")"
sheets "$tmp/h.xlsx" >"$tmp/h.json" || fail "the served xlsx reads back"
python3 - "$tmp/h.json" <<'PY' || fail "the UA reader's report"
import json, sys
w = json.load(open(sys.argv[1]))
assert [r[0] for r in w["按单位"][1:]] == ["东城县财政局"], w["按单位"]
assert {r[0]: r[2] for r in w["按规则"][1:]} == {"R04": 1, "R05": 2, "R07": 1, "R16": 1, "R19": 2}, w["按规则"]
PY
# The UA reader's months of the report are those of its dashboard's trend
# (GET /api/v1/dashboard, the same scope): 2020 and 2021, two as-of dates.
for a in 2020-12-01 2021-12-01; do
  status=$(curl -sS -b "$tmp/jar" -o "$tmp/hd$a.json" -w '%{http_code}' "$B/api/v1/dashboard?as_of=$a")
  [ "$status" = 200 ] || fail "GET dashboard as_of=$a: $status $(head -c 300 "$tmp/hd$a.json")"
done
python3 - "$tmp" <<'PY' || fail "the UA reader's report months differ from its dashboard's trend"
import json, sys, os
t = sys.argv[1]
w = json.load(open(os.path.join(t, "h.json")))
rep = {r[0]: r[1] for r in w["按月趋势"][1:]}
ds = {}
for a in ("2020-12-01", "2021-12-01"):
    for m in json.load(open(os.path.join(t, "hd%s.json" % a)))["findings"]["by_month"]:
        ds[m["month"]] = m["total"]
for m in set(rep) | set(ds):
    assert rep.get(m, 0) == ds.get(m, 0), (m, "report", rep.get(m, 0), "dashboard", ds.get(m, 0))
# By hand (UA's rows of the table above): 2020-01 D1, R16 S|2020, R19
# TS|2020; 2020-03 D2, P1; 2021-01 R19 TS|2021; 2021-06 P3.
assert {m: n for m, n in rep.items() if n} == {"2020-01": 3, "2020-03": 2, "2021-01": 1, "2021-06": 1}, rep
PY
status=$(curl -sS -b "$tmp/jar" -o "$tmp/h.pdf" -w '%{http_code}' "$B/api/v1/reports/findings.pdf?from=2020-01-01&to=2021-12-31&lang=en")
[ "$status" = 200 ] && pdftotext "$tmp/h.pdf" - | grep -q "kin business" || fail "GET findings.pdf: $status"
status=$(curl -sS -b "$tmp/jar" -o "$tmp/e.json" -w '%{http_code}' "$B/api/v1/reports/findings.xlsx?from=2020-01-01&to=2021-12-31&unit_id=UB")
[ "$status" = 404 ] && grep -q '"field":"unit_id"' "$tmp/e.json" || fail "unit outside scope: $status $(cat "$tmp/e.json")"
kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
echo ok
