#!/usr/bin/env bash
# declare_rounds.sh — declaration check rounds (docs/DECLARE.md "Check
# rounds"): the eligible list, the draw re-derived by `draw --verify` AND
# recomputed here from the checkpoint root and the eligible list by the
# documented function (python's hashlib, not the code under test), tampering
# detected, the comparison classes and score of a hand-planted household
# (expected counts written by hand from the class table of docs/DECLARE.md),
# the ranking, the conclusion with its 补报 window, and the bad inputs (one
# line naming the field, exit 1, nothing written). Both engines
# (store_lib.sh: cli.declare_rounds, cli.pg.declare_rounds).
set -u
: "${PLUMB:?PLUMB must point at the plumb binary}" "${PLUMB_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
T=$tmp
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
export PLUMB_LANG=zh LANG=C.UTF-8
db=$(store_new p) || exit 1
sq() { store_sql "$db" "$1" 2>/dev/null; }
P1=110101197001010016 K1=110101197202020026 C1=110101201205050027 C2=110101199506060026
P2=110101197503030033 P3=110101198004040047 P4=110101198208080059 CO=91110101MA00000018
d="$tmp/data"
mkdir -p "$d/org" "$d/police" "$d/market" "$d/realestate" "$d/securities" "$d/vehicles" \
  "$d/declarations" "$d/clues"
cat >"$d/org/units.csv" <<EOF
id,parent_id,name,division_code,level,kind,industry
U0,,东城县委,110101,county,party,党委
UA,U0,东城县财政局,110101,county,department,财政
UB,U0,东城县教育局,110101,county,department,教育
EOF
cat >"$d/org/persons.csv" <<EOF
id,name,gender,birth_date,native_place
$P1,张一,M,1970-01-01,110101
$K1,李一,F,1972-02-02,
$C1,张小一,F,2012-05-05,
$C2,张大一,F,1995-06-06,
$P2,王二,M,1975-03-03,
$P3,赵三,M,1980-04-04,
$P4,钱四,M,1982-08-08,
EOF
cat >"$d/org/posts.csv" <<EOF
id,unit_id,title,rank,is_top,category,portfolio,reports_to
PA1,UA,局长,section,1,general,,
PA2,UA,副局长,section,0,finance,,PA1
PB1,UB,局长,section,1,general,,
PB2,UB,副局长,section,0,general,,PB1
EOF
cat >"$d/org/tenures.csv" <<EOF
id,person_id,post_id,start_date,end_date,decision_id
T1,$P1,PA1,2018-01-01,,
T2,$P3,PA2,2019-01-01,,
T3,$P2,PB1,2017-01-01,,
T4,$P4,PB2,2020-01-01,,
EOF
cat >"$d/police/kin.csv" <<EOF
id,person_id,relative_id,relation
KN1,$P1,$K1,spouse
KN2,$P1,$C1,child
KN3,$P1,$C2,child
EOF
cat >"$d/market/companies.csv" <<EOF
id,name,legal_rep_id,registered_at
$CO,东城建材有限公司,$K1,2019-05-05
EOF
# the spouse's company role ended last year (2023): nothing to declare for 2024
cat >"$d/market/company_roles.csv" <<EOF
id,company_id,person_id,role,share_bp,start_date,end_date
CR1,$CO,$K1,shareholder,5000,2019-05-05,2023-06-30
EOF
cat >"$d/market/registry_records.csv" <<EOF
id,source,kind,holder_id,ref,amount_fen,observed_at,detail
R7,market,company_role,$K1,$CO,,2019-05-05,
EOF
# ended_at (0119): 房6 sold in 2024, before the reporting date 2024-12-31
# (not held: no line, though undeclared); 房7 sold in 2025, after it (held:
# declared, a match)
cat >"$d/realestate/registry_records.csv" <<EOF
id,source,kind,holder_id,ref,amount_fen,observed_at,detail,ended_at
R1,real_estate,real_estate,$P1,房1,,2015-03-03,,
R5,real_estate,real_estate,$K1,房2,,2024-04-01,,
R8,real_estate,real_estate,$C2,房4,,2021-01-01,,
R11,real_estate,real_estate,$P1,房5,,2025-02-01,,
R12,real_estate,real_estate,$P2,房3,,2016-01-01,,
R14,real_estate,real_estate,$P1,房6,,2016-02-02,,2024-06-30
R15,real_estate,real_estate,$P1,房7,,2017-03-03,,2025-01-10
EOF
cat >"$d/securities/registry_records.csv" <<EOF
id,source,kind,holder_id,ref,amount_fen,observed_at,detail
R2,securities,securities,$P1,A1,1000000,2020-01-01,
R3,securities,securities,$K1,A2,2000000,2020-01-01,
R9,securities,securities,$P1,A3,100000000,2022-01-01,
EOF
cat >"$d/vehicles/registry_records.csv" <<EOF
id,source,kind,holder_id,ref,amount_fen,observed_at,detail
R4,vehicles,vehicle,$K1,湘A10001,,2020-05-05,
R13,vehicles,vehicle,$P3,湘A20002,,2021-05-05,
EOF
# passports: E12345678 held and declared (a match); E00000001 handed in
# on 2024-03-01 (not held at the reporting date: no line)
cat >"$d/police/registry_records.csv" <<EOF
id,source,kind,holder_id,ref,amount_fen,observed_at,detail,ended_at
R6,police,exit_abroad,$C1,E20240715,,2024-07-15,,
R10,police,exit_abroad,$P1,E20230501,,2023-05-01,,
R16,police,passport,$P1,E12345678,,2019-08-01,,
R17,police,passport,$P1,E00000001,,2014-01-01,,2024-03-01
EOF
cat >"$d/declarations/declarations.csv" <<EOF
id,person_id,year,filed_at
D1,$P1,2024,2025-01-20
D2,$P2,2024,2025-01-21
D3,$P3,2024,2025-01-22
D4,$P4,2024,2025-01-23
EOF
cat >"$d/declarations/declaration_items.csv" <<EOF
id,declaration_id,kind,holder_id,ref,amount_fen,detail
I1,D1,real_estate,$P1,房1,,
I2,D1,securities,$P1,A1,960000,
I3,D1,securities,$K1,A2,1400000,
I4,D1,vehicle,$P1,湘A99999,,
I5,D1,marriage,$P1,已婚,,
I6,D1,income,$P1,工资,20000000,
I21,D1,real_estate,$P1,房7,,
I22,D1,passport,$P1,E12345678,,
I7,D2,real_estate,$P2,房3,,
I8,D2,income,$P2,工资,18000000,
I9,D3,income,$P3,工资,15000000,
I10,D4,income,$P4,工资,15000000,
EOF
cat >"$d/clues/clues.csv" <<EOF
id,channel,received_at,subject_person_id,subject_unit_id,category,summary,real_name
CL1,letter,2024-03-01,$P3,UA,money,反映问题,0
EOF

export PLUMB_NOW=2025-03-01T09:00:00Z
"$PLUMB" init --db "$db" --origin plumbline.test/declare >/dev/null || fail "init"
"$PLUMB" import --db "$db" --all "$d" --quiet --as-of 2025-03-01 >"$tmp/imp" 2>&1 || fail "import: $(head -5 "$tmp/imp")"
"$PLUMB" declare --help | grep -q -- "--verify" || fail "help"

size() { sq "SELECT count(*) FROM ledger_events"; }
one_line() { # $1 = expected field; stderr of the last command in $tmp/err
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "not one line: $(cat "$tmp/err")"
  grep -q -- "$1" "$tmp/err" || fail "message does not name $1: $(cat "$tmp/err")"
}

# --- bad input first: nothing written
n0=$(size)
"$PLUMB" declare round --db "$db" --year 2030 --unit U0 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "empty population: exit 1"; one_line "unit_id"
"$PLUMB" declare round --db "$db" --year 2024 --unit UA --scope UB >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "out-of-scope round: exit 1"; one_line "unit_id"
"$PLUMB" declare round --db "$db" --year 2024 --unit U0 --population some >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "bad population: exit 1"; one_line "population"
"$PLUMB" declare round --db "$db" --year 2024 --unit U0 --candidate 110101199001010011 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "candidate outside: exit 1"; one_line "candidates"
"$PLUMB" declare conclude D1 --db "$db" --conclusion truthful --reason x >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "conclusion on an undrawn declaration: exit 1"; one_line "declaration_id"
[ "$(size)" = "$n0" ] || fail "a refused call wrote to the ledger"
[ "$(sq 'SELECT count(*) FROM declaration_rounds')" = 0 ] || fail "a refused round left a row"

# --- population "top": the two top leaders' declarations (by hand: D1, D2)
r=$("$PLUMB" declare round --db "$db" --year 2024 --unit U0 --population top --reason 年度抽查) || fail "round top"
[ "$r" = DR-1 ] || fail "first round id '$r'"
got=$("$PLUMB" declare round-show DR-1 --db "$db" | python3 -c 'import json,sys; print(" ".join(x["declaration_id"] for x in json.load(sys.stdin)["eligible"]))')
[ "$got" = "D1 D2" ] || fail "top population: '$got'"

# --- round 2: everyone under U0; P2 a promotion candidate; P3 has an open clue
r=$("$PLUMB" declare round --db "$db" --year 2024 --unit U0 --candidate $P2) || fail "round all"
[ "$r" = DR-2 ] || fail "second round id '$r'"
"$PLUMB" declare round-show DR-2 --db "$db" >"$tmp/r2.json" || fail "round-show"
# no checkpoint after the list yet: the draw signs one (the log key beside the store)
"$PLUMB" declare draw DR-2 --db "$db" >"$tmp/d2.json" 2>"$tmp/err" || fail "draw: $(cat "$tmp/err")"
"$PLUMB" declare draw DR-2 --db "$db" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "second draw: exit 1"; one_line "id"
"$PLUMB" declare draw DR-2 --verify --db "$db" >"$tmp/v.json" 2>"$tmp/err" || fail "verify: $(cat "$tmp/v.json" "$tmp/err")"
grep -q '"result": "match"' "$tmp/v.json" || fail "verify result"
"$PLUMB" declare sample DR-2 --db "$db" >"$tmp/s2.json" || fail "sample"

# Independent recomputation (docs/DECLARE.md "The draw"): the seed is the
# root of the first signed checkpoint with size > the eligible list's event
# number, read from the stored note; rank = SHA-256(seed || id); first
# ceil(10 % x n) + candidates + open clues.
eseq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["eligible_seq"])' "$tmp/r2.json")
[ "$(sq "SELECT type FROM ledger_events WHERE seq=$eseq")" = declare.round_created ] || fail "eligible_seq is not the round's event"
sq "SELECT note FROM ledger_checkpoints WHERE size>$eseq ORDER BY size LIMIT 1" >"$tmp/note"
python3 - "$tmp/r2.json" "$tmp/note" "$tmp/s2.json" <<'EOF' || fail "independent recomputation differs"
import base64, hashlib, json, math, sys
r = json.load(open(sys.argv[1])); note = open(sys.argv[2]).read().split("\n")
seed = base64.b64decode(note[2])
el = r["eligible"]
assert [x["declaration_id"] for x in el] == ["D1", "D2", "D3", "D4"], el
flags = {x["declaration_id"]: (x["candidate"], x["open_clue"]) for x in el}
assert flags == {"D1": (0, 0), "D2": (1, 0), "D3": (0, 1), "D4": (0, 0)}, flags
ranked = sorted(el, key=lambda x: hashlib.sha256(seed + x["declaration_id"].encode()).digest())
k = math.ceil(10 * len(el) / 100)
want = {}
for i, x in enumerate(ranked):
    d = x["declaration_id"]
    if i < k: want[d] = ("random", i + 1)
    elif flags[d][0]: want[d] = ("candidate", i + 1)
    elif flags[d][1]: want[d] = ("open_clue", i + 1)
got = {x["declaration_id"]: (x["basis"], x["draw_rank"]) for x in json.load(open(sys.argv[3]))}
if got != want:
    print("got", got, "want", want, file=sys.stderr); sys.exit(1)
open(sys.argv[1] + ".undrawn", "w").write(" ".join(sorted(set(flags) - set(want))))
EOF
undrawn=$(cat "$tmp/r2.json.undrawn")
[ -n "$undrawn" ] || fail "10 % of 4 plus two focus: one declaration stays undrawn"
u=${undrawn%% *}
"$PLUMB" declare conclude "$u" --db "$db" --conclusion truthful --reason x >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "conclusion on undrawn $u: exit 1"; one_line "declaration_id"
"$PLUMB" declare compare "$u" --db "$db" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "comparison of undrawn $u: exit 1"

# --- tampering with the eligible list after the seed: detected
t=$(store_copy "$db" t1) || fail "copy t1"
store_sql "$t" "UPDATE ledger_events SET payload=replace(payload,'\"D4\"','\"D5\"') WHERE seq=$eseq"
"$PLUMB" declare draw DR-2 --verify --db "$t" >"$tmp/tv.json" 2>/dev/null
[ $? -eq 1 ] || fail "tampered payload: verify must exit 1"
grep -q '"result": "mismatch"' "$tmp/tv.json" || fail "tampered payload not reported"
grep -q 'payload does not match its leaf' "$tmp/tv.json" || fail "tampered payload: reason"
t2=$(store_copy "$db" t2) || fail "copy t2"
store_sql "$t2" "UPDATE declaration_round_eligible SET candidate=1 WHERE round_id='DR-2' AND declaration_id='D4'"
"$PLUMB" declare draw DR-2 --verify --db "$t2" >"$tmp/tv.json" 2>/dev/null
[ $? -eq 1 ] || fail "tampered eligible table: verify must exit 1"
grep -q 'eligible table differs' "$tmp/tv.json" || fail "tampered eligible table: reason"
"$PLUMB" verify --db "$t2" >/dev/null 2>&1 && fail "plumb verify misses the changed eligible table"
t3=$(store_copy "$db" t3) || fail "copy t3"
store_sql "$t3" "UPDATE declaration_round_sample SET basis='random' WHERE round_id='DR-2'"
store_sql "$t3" "UPDATE declaration_rounds SET seed='00' WHERE id='DR-2'"
"$PLUMB" declare draw DR-2 --verify --db "$t3" >"$tmp/tv.json" 2>/dev/null
[ $? -eq 1 ] || fail "tampered sample: verify must exit 1"
grep -q 'seed recorded is not' "$tmp/tv.json" || fail "tampered seed: reason"
# An eligible entry without its declaration_id (found by fuzz/declare_fuzz.c:
# the re-derivation dereferenced the missing id): a mismatch, not a crash.
t4=$(store_copy "$db" t4) || fail "copy t4"
store_sql "$t4" "UPDATE ledger_events SET payload=replace(payload,'\"declaration_id\":\"D4\"','\"declaration\":\"D4\"') WHERE seq=$eseq"
[ "$(store_sql "$t4" "SELECT count(*) FROM ledger_events WHERE seq=$eseq AND payload LIKE '%\"declaration\":\"D4\"%'")" = 1 ] ||
  fail "tamper t4: the payload was not changed"
"$PLUMB" declare draw DR-2 --verify --db "$t4" >"$tmp/tv.json" 2>"$tmp/err"
[ $? -eq 1 ] || fail "eligible entry without id: verify must exit 1: $(cat "$tmp/err")"
grep -q '"result": "mismatch"' "$tmp/tv.json" || fail "eligible entry without id not reported"
grep -q 'the eligible list recorded cannot be ranked: eligible entry [0-9]* has no declaration_id' "$tmp/tv.json" ||
  fail "eligible entry without id: reason: $(cat "$tmp/tv.json")"
"$PLUMB" verify --db "$db" >/dev/null 2>&1 || fail "plumb verify after the draw"

# --- comparison: round 3 draws everyone (profile rate 100 %)
"$PLUMB" profile set all-drawn --param decl_sample_pct=100 --reason 全面核查 --db "$db" >/dev/null 2>&1 || fail "profile"
r=$("$PLUMB" declare round --db "$db" --year 2024 --unit U0) || fail "round 3"
"$PLUMB" declare draw "$r" --db "$db" >/dev/null || fail "draw 3"
"$PLUMB" declare compare D1 --db "$db" >"$tmp/c1.json" || fail "compare D1"
# By hand (docs/DECLARE.md "Classes", default parameters): match = 房1, 房7
# (sold after the reporting date), the passport E12345678 and the
# marriage; tolerance = A1 (4 % off); omission = A2 (30 % under, <= 50 %),
# the spouse's car, the minor child's trip; concealment = 房2 (undeclared
# home) and A3 (1,000,000 元 >= 300,000 元); unexplained = the car 湘A99999
# declared but in no record; not compared = income. Near misses with no
# line: the company role ended 2023, the adult child's home, the 2023 trip,
# the home registered in 2025, 房6 sold before the reporting date, the
# passport handed in before it. Score 1·1 + 3·5 + 2·20 + 1·2 = 58.
python3 - "$tmp/c1.json" <<'EOF' || fail "D1 comparison differs from the hand-written table"
import json, sys
c = json.load(open(sys.argv[1]))
want = {"match": 4, "tolerance": 1, "omission": 3, "concealment": 2, "unexplained": 1, "not_compared": 1}
assert c["counts"] == want, c["counts"]
assert c["score"] == 58, c["score"]
cls = {(l["kind"], l["ref"]): l["class"] for l in c["lines"]}
expect = {("real_estate", "房1"): "match", ("securities", "A1"): "tolerance",
          ("securities", "A2"): "omission", ("vehicle", "湘A10001"): "omission",
          ("exit_abroad", "E20240715"): "omission", ("real_estate", "房2"): "concealment",
          ("securities", "A3"): "concealment", ("vehicle", "湘A99999"): "unexplained",
          ("marriage", "已婚"): "match", ("income", "工资"): "not_compared",
          ("real_estate", "房7"): "match", ("passport", "E12345678"): "match"}
assert cls == expect, cls
EOF
"$PLUMB" declare sample "$r" --db "$db" >"$tmp/s3.json" || fail "sample 3"
got=$(python3 -c 'import json,sys; print(" ".join("%s:%d" % (x["declaration_id"], x["score"]) for x in json.load(sys.stdin)))' <"$tmp/s3.json")
# D3: P3's undeclared car (omission, 5); D2: home declared (0); D4: income only (0)
[ "$got" = "D1:58 D3:5 D2:0 D4:0" ] || fail "ranked sample: '$got'"

# --- conclusion: the 补报 window (30 days from the draw on 2025-03-01)
export PLUMB_NOW=2025-03-10T09:00:00Z
n0=$(size)
"$PLUMB" declare conclude D1 --db "$db" --conclusion concealment --reason 隐瞒房产 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "conclusion inside the window: exit 1"; one_line "correction_window"
"$PLUMB" declare conclude D1 --db "$db" --conclusion maybe --reason x >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "bad conclusion: exit 1"; one_line "conclusion"
"$PLUMB" declare conclude D1 --db "$db" --conclusion omission >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "no reason: exit 1"; one_line "reason"
[ "$(size)" = "$n0" ] || fail "a refused conclusion wrote to the ledger"
# P3 files a correction (补报) on 2025-03-05: a conclusion is allowed at once
mkdir -p "$tmp/corr"
cat >"$tmp/corr/declarations.csv" <<EOF
id,person_id,year,filed_at
D3B,$P3,2024,2025-03-05
EOF
cat >"$tmp/corr/declaration_items.csv" <<EOF
id,declaration_id,kind,holder_id,ref,amount_fen,detail
I11,D3B,vehicle,$P3,湘A20002,,补报
EOF
"$PLUMB" import --db "$db" --source declarations "$tmp/corr/declarations.csv" "$tmp/corr/declaration_items.csv" --quiet --as-of 2025-03-10 >"$tmp/imp" 2>&1 || fail "import correction: $(head -3 "$tmp/imp")"
"$PLUMB" declare compare D3 --db "$db" | grep -q '"omission": 0' || fail "the correction's item counts"
"$PLUMB" declare conclude D3 --db "$db" --conclusion truthful --reason 已补报 >/dev/null || fail "conclusion after a correction"
export PLUMB_NOW=2025-04-01T09:00:00Z
"$PLUMB" declare conclude D1 --db "$db" --conclusion concealment --reason 隐瞒房产 >/dev/null || fail "conclusion after the window"
"$PLUMB" declare conclude D1 --db "$db" --conclusion omission --reason again >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "second conclusion: exit 1"; one_line "declaration_id"
[ "$(sq "SELECT conclusion||'|'||score FROM declaration_conclusions WHERE declaration_id='D1'")" = "concealment|58" ] || fail "conclusion row"
"$PLUMB" declare sample "$r" --db "$db" | grep -q '"conclusion": "concealment"' || fail "sample shows the conclusion"
# the integrity file carries the check rounds and the conclusion (DECLARE.md)
"$PLUMB" file $P1 --db "$db" --format text >"$tmp/file.txt" || fail "plumb file"
grep -qF "抽查: [$r] 随机抽查 · 结论 瞒报 (隐瞒房产) 2025-04-01" "$tmp/file.txt" || fail "the file lacks the conclusion: $(grep -F 抽查 "$tmp/file.txt")"
grep -qF "个人有关事项报告核查（$r）：瞒报" "$tmp/file.txt" || fail "the file's timeline lacks the conclusion"

# --- rebuild and verify: the projections replay
"$PLUMB" verify --db "$db" >/dev/null 2>&1 || fail "verify at the end"
q="SELECT $(store_cols "$db" declaration_round_sample) FROM declaration_round_sample ORDER BY 1,2;
   SELECT $(store_cols "$db" declaration_conclusions) FROM declaration_conclusions ORDER BY 1;
   SELECT $(store_cols "$db" declaration_rounds) FROM declaration_rounds ORDER BY id"
before=$(store_sql "$db" "$q")
[ "$(grep -c . <<<"$before")" -ge 5 ] || fail "too few declare rows to compare: $before"
"$PLUMB" rebuild --db "$db" >/dev/null 2>&1 || fail "rebuild"
after=$(store_sql "$db" "$q")
[ "$before" = "$after" ] || fail "rebuild changed the declare tables"
"$PLUMB" declare draw DR-2 --verify --db "$db" >/dev/null 2>&1 || fail "verify after rebuild"
echo ok
