#!/usr/bin/env bash
# opinion.sh — integrity opinions (docs/DECLARE.md "Integrity opinion"):
# a slate of five candidates of a hand-written county, each proposal and its
# reasons equal to the table below (written by hand from the reason rules of
# DECLARE.md, not from the code), amend (the reason required when the
# opinion differs from the proposal), issue and re-issue (supersedes,
# history kept), R10 reading the issued opinions (an appointment dated after
# a no-objection opinion: no "no opinion" finding; before it, or after an
# objection superseded it: a finding; engine = SQL reference; incremental =
# sweep), the PDF (pdffonts: a CJK font embedded; pdftotext: the names and
# the checkpoint root), verify and rebuild, and the bad inputs (one line
# naming the field, exit 1, nothing written). Both engines (store_lib.sh:
# cli.opinion, cli.pg.opinion).
set -u
: "${PLUMB:?PLUMB must point at the plumb binary}" "${PLUMB_SRC:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
T=$tmp
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*" >&2; exit 1; }
export PLUMB_LANG=zh LANG=C.UTF-8
unset PLUMB_KEY
db=$(store_new p) || exit 1
sq() { store_sql "$db" "$1" 2>/dev/null; }
P1=110101197001010016 P2=110101197503030033 P3=110101198004040047 P4=110101198208080059
P5=110101197202020026 P6=110101199506060026
d="$tmp/data"
mkdir -p "$d/org" "$d/clues" "$d/supervision" "$d/meetings"
cat >"$d/org/units.csv" <<EOF
id,parent_id,name,division_code,level,kind,industry
U0,,东城县委,110101,county,party,党委
UA,U0,东城县财政局,110101,county,department,财政
UB,U0,东城县教育局,110101,county,department,教育
EOF
cat >"$d/org/persons.csv" <<EOF
id,name,gender,birth_date,native_place
$P1,张一,M,1970-01-01,110101
$P2,王二,M,1975-03-03,
$P3,赵三,M,1980-04-04,
$P4,钱四,M,1982-08-08,
$P5,孙五,F,1972-02-02,
$P6,周六,F,1995-06-06,
EOF
cat >"$d/org/posts.csv" <<EOF
id,unit_id,title,rank,is_top,category,portfolio,reports_to
PA1,UA,局长,section,1,general,,
PA2,UA,副局长,section,0,finance,,PA1
PA3,UA,副局长,section,0,general,,PA1
PA4,UA,科长,section,0,general,,PA1
PA5,UA,科员,section,0,general,,PA1
PB1,UB,局长,section,1,general,,
EOF
cat >"$d/org/tenures.csv" <<EOF
id,person_id,post_id,start_date,end_date,decision_id
T1,$P1,PA1,2018-01-01,,
T2,$P2,PA2,2019-01-01,,
T3,$P3,PA3,2019-01-01,,
T4,$P4,PA4,2020-01-01,,
T5,$P5,PA5,2020-01-01,,
T6,$P6,PB1,2020-01-01,,
EOF
# P2: a clue received 2025-01-10, no disposition (open) → defer;
# P5: a clue of 2024-02-01 concluded 2024-05-01 (closed: no reason).
cat >"$d/clues/clues.csv" <<EOF
id,channel,received_at,subject_person_id,subject_unit_id,category,summary,real_name
CL1,letter,2025-01-10,$P2,UA,money,反映问题,0
CL2,letter,2024-02-01,$P5,UA,money,反映问题,0
EOF
cat >"$d/clues/dispositions.csv" <<EOF
id,clue_id,method,decided_at,verified_at,concluded_at,outcome
DP2,CL2,talk_inquiry,2024-02-10,,2024-05-01,unfounded
EOF
# P3: a sanction of 2024-09-01 (within 12 months on 2025-03-01) → not to be
# promoted; and one of 2023-01-01 (its period ended 2024-01-01: no reason).
# P4: an organisational measure of 2024-12-01 (within 6 months) → defer;
# P5: one of 2024-06-01 (ended 2024-12-01: no reason) → no objection.
cat >"$d/supervision/accountability.csv" <<EOF
id,person_id,measure,decided_at,basis,clue_id
AC1,$P3,sanction,2024-09-01,党纪警告,
AC2,$P3,sanction,2023-01-01,党纪警告,
AC3,$P4,org_measure,2024-12-01,诫勉,
AC4,$P5,org_measure,2024-06-01,诫勉,
EOF
# Appointments (R10): with a meeting, no imported opinion. Dates against the
# opinions issued below: P1's no objection on 2025-03-01, re-issued as defer
# on 2025-04-01.
cat >"$d/meetings/meetings.csv" <<EOF
id,unit_id,kind,held_at,members_total,attendees
M1,U0,party_committee,2025-02-28,9,9
M2,U0,party_committee,2025-03-02,9,9
M3,U0,party_committee,2025-04-05,9,9
EOF
cat >"$d/meetings/decisions.csv" <<EOF
id,unit_id,meeting_id,category,subject,amount_fen,appointee_id,integrity_opinion,votes_for,result,decided_at
DA1,U0,M1,appointment,任职一,,$P1,0,9,approved,2025-02-28
DA2,U0,M2,appointment,任职二,,$P1,0,9,approved,2025-03-02
DA3,U0,M3,appointment,任职三,,$P1,0,9,approved,2025-04-05
EOF

export PLUMB_NOW=2025-03-01T09:00:00Z
"$PLUMB" init --db "$db" --origin plumbline.test/opinion >/dev/null 2>&1 || fail "init"
"$PLUMB" import --db "$db" --all "$d" --quiet --as-of 2025-03-01 >"$tmp/imp" 2>&1 || fail "import: $(head -5 "$tmp/imp")"
"$PLUMB" opinion --help | grep -q -- "--candidate" || fail "help"
"$PLUMB" opinion --help --lang en | grep -q "integrity\|slate" || fail "help en"

size() { sq "SELECT count(*) FROM ledger_events"; }
one_line() { # $1 = expected field; stderr of the last command in $tmp/err
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "not one line: $(cat "$tmp/err")"
  grep -q -- "$1" "$tmp/err" || fail "message does not name $1: $(cat "$tmp/err")"
}

# --- bad input first: nothing written
n0=$(size)
"$PLUMB" opinion slate --db "$db" --name 名单 --unit UA --scope UA --candidate $P1 --candidate $P6 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "candidate outside the scope: exit 1"; one_line "candidates"
"$PLUMB" opinion slate --db "$db" --name 名单 --unit UB --scope UA --candidate $P1 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "unit outside the scope: exit 1"; one_line "unit_id"
"$PLUMB" opinion slate --db "$db" --unit UA --candidate $P1 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "no name: exit 1"; one_line "name"
"$PLUMB" opinion slate --db "$db" --name 名单 --unit UA >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "no candidate: exit 1"; one_line "candidates"
"$PLUMB" opinion slate --db "$db" --name 名单 --unit UA --candidate $P1 --candidate $P1 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "a candidate twice: exit 1"; one_line "candidates"
"$PLUMB" opinion slate --db "$db" --name 名单 --unit UA --candidate 110101199901010000 >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "unknown person: exit 1"; one_line "candidates"
[ "$(size)" = "$n0" ] || fail "a refused slate wrote events"
[ "$(sq "SELECT count(*) FROM opinions")" = "0" ] || fail "a refused slate wrote opinions"

# --- the slate and the proposals (hand-written expectations)
s=$("$PLUMB" opinion slate --db "$db" --name "2025年第1批拟提拔人选" --unit UA --scope UA \
  --candidate $P1 --candidate $P2 --candidate $P3 --candidate $P4 --candidate $P5) || fail "slate"
[ "$s" = "OS-1" ] || fail "slate id $s"
got=$(sq "SELECT person_id||'|'||proposal||'|'||opinion||'|'||status FROM opinions ORDER BY id")
want="$P1|no_objection|no_objection|draft
$P2|defer|defer|draft
$P3|not_promoted|not_promoted|draft
$P4|defer|defer|draft
$P5|no_objection|no_objection|draft"
[ "$got" = "$want" ] || fail "proposals: got
$got
want
$want"
"$PLUMB" opinion show OS-1 --db "$db" >"$tmp/show.json" || fail "show"
python3 - "$tmp/show.json" <<'PY' || fail "reasons"
import json, sys
s = json.load(open(sys.argv[1]))
by = {o["person_id"]: o for o in s["opinions"]}
want = {  # person -> [(kind, ref, date, effect)]: DECLARE.md's rules by hand
  "110101197001010016": [],
  "110101197503030033": [("clue", "CL1", "2025-01-10", "defer")],
  "110101198004040047": [("sanction", "AC1", "2024-09-01", "not_promoted")],
  "110101198208080059": [("org_measure", "AC3", "2024-12-01", "defer")],
  "110101197202020026": [],
}
for p, w in want.items():
  got = [(r["kind"], r["ref"], r["date"], r["effect"]) for r in by[p]["reasons"]]
  assert got == w, (p, got, w)
assert by["110101197503030033"]["unit_name"] == "东城县财政局" and by["110101197503030033"]["post_title"] == "副局长"
assert by["110101197503030033"]["person_name"] == "王二"
assert by["110101198004040047"]["proposal_label"] == "不宜提拔"
PY

# --- amend: a different opinion needs a reason; issue; re-issue
n0=$(size)
"$PLUMB" opinion amend OP-2 --db "$db" --opinion no_objection >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "amend without reason: exit 1"; one_line "reason"
"$PLUMB" opinion amend OP-2 --db "$db" --opinion maybe --reason x >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "amend to an unknown opinion: exit 1"; one_line "opinion"
"$PLUMB" opinion amend OP-9 --db "$db" --opinion defer --reason x >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "amend an unknown opinion: exit 1"; one_line "id"
"$PLUMB" opinion issue OP-1 --db "$db" --scope UB >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "issue outside the scope: exit 1"; one_line "id"
[ "$(size)" = "$n0" ] || fail "a refused amend wrote events"
"$PLUMB" opinion amend OP-2 --db "$db" --opinion no_objection --reason "线索已初核，反映问题不属实" --actor 纪委干部甲 >/dev/null || fail "amend"
"$PLUMB" opinion issue OP-1 --db "$db" --actor 纪委干部甲 >/dev/null || fail "issue OP-1"
"$PLUMB" opinion issue OP-2 --db "$db" --actor 纪委干部甲 >/dev/null || fail "issue OP-2"
"$PLUMB" opinion issue OP-1 --db "$db" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "issue twice: exit 1"; one_line "status"
[ "$(sq "SELECT count(*) FROM ledger_events WHERE type='opinion.issued'")" = "2" ] || fail "issue events"
[ "$(sq "SELECT opinion||'|'||proposal||'|'||reason FROM opinion_issues WHERE id='OP-2.1'")" = "no_objection|defer|线索已初核，反映问题不属实" ] || fail "the issue of OP-2"
export PLUMB_NOW=2025-04-01T09:00:00Z
"$PLUMB" opinion amend OP-1 --db "$db" --opinion defer --reason "收到新的问题反映" >/dev/null || fail "amend OP-1"
[ "$(sq "SELECT status FROM opinions WHERE id='OP-1'")" = "draft" ] || fail "an amended opinion is a draft"
"$PLUMB" opinion issue OP-1 --db "$db" >/dev/null || fail "re-issue OP-1"
got=$(sq "SELECT id||'|'||version||'|'||opinion||'|'||issued_at||'|'||COALESCE(superseded_by,'-') FROM opinion_issues WHERE opinion_id='OP-1' ORDER BY version")
want="OP-1.1|1|no_objection|2025-03-01|OP-1.2
OP-1.2|2|defer|2025-04-01|-"
[ "$got" = "$want" ] || fail "history: got $got"
"$PLUMB" opinion get OP-1 --db "$db" --lang en | grep -q '"opinion_label": "defer"' || fail "get en"

# --- R10 reads the issued opinions (docs/RULES.md R10): P1's no objection
# of 2025-03-01, superseded by a defer on 2025-04-01.
#   DA1 2025-02-28 (before any opinion)      → R10
#   DA2 2025-03-02 (no objection in force)   → none
#   DA3 2025-04-05 (the defer supersedes it) → R10
"$PLUMB" sweep --db "$db" --as-of 2025-06-30 >/dev/null 2>&1 || fail "sweep"
got=$(sq "SELECT key FROM findings WHERE rule='R10' AND status<>'resolved' ORDER BY key")
[ "$got" = "DA1
DA3" ] || fail "R10 keys: $got"
"$PLUMB" rules check --db "$db" --as-of 2025-06-30 --lang en >"$tmp/check" 2>&1 || fail "rules check: $(cat "$tmp/check")"
grep -q "^engine = sql" "$tmp/check" || fail "engine != sql: $(cat "$tmp/check")"
"$PLUMB" rules replay-check --db "$db" --as-of 2025-06-30 --lang en >"$tmp/replay" 2>&1 || fail "replay-check: $(cat "$tmp/replay")"
grep -q "^incremental = sweep" "$tmp/replay" || fail "incremental != sweep: $(cat "$tmp/replay")"

# --- the PDF: CJK embedded, names and the checkpoint root in the text
"$PLUMB" checkpoint --db "$db" >"$tmp/cp.txt" 2>/dev/null || fail "checkpoint"
root=$(sed -n 3p "$tmp/cp.txt")
[ -n "$root" ] || fail "no root in the checkpoint note"
"$PLUMB" opinion pdf OS-1 --db "$db" -o "$tmp/s.pdf" >/dev/null 2>"$tmp/err" || fail "slate pdf: $(cat "$tmp/err")"
pdffonts "$tmp/s.pdf" | grep -i "cjk" | grep -q " yes " || fail "no embedded CJK font: $(pdffonts "$tmp/s.pdf")"
pdftotext -layout "$tmp/s.pdf" "$tmp/s.txt" || fail "pdftotext"
for n in 张一 王二 赵三 钱四 孙五 不宜提拔 "$root"; do
  tr -d '[:space:]' <"$tmp/s.txt" | grep -qF -- "$n" || fail "slate PDF lacks $n"
done
"$PLUMB" opinion pdf OP-1 --db "$db" -o "$tmp/o.pdf" --lang en >/dev/null || fail "opinion pdf"
pdftotext "$tmp/o.pdf" - | grep -q "张一" || fail "opinion PDF lacks the name"
"$PLUMB" opinion pdf OP-1 --db "$db" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "pdf without -o: exit 1"; one_line "-o"

# --- verify and rebuild: the projections replay
"$PLUMB" verify --db "$db" >/dev/null 2>&1 || fail "verify"
q="SELECT $(store_cols "$db" opinion_slates) FROM opinion_slates ORDER BY id;
   SELECT $(store_cols "$db" opinions) FROM opinions ORDER BY id;
   SELECT $(store_cols "$db" opinion_issues) FROM opinion_issues ORDER BY id"
before=$(store_sql "$db" "$q")
[ "$(grep -c . <<<"$before")" -ge 5 ] || fail "too few opinion rows to compare: $before"
"$PLUMB" rebuild --db "$db" >/dev/null 2>&1 || fail "rebuild"
after=$(store_sql "$db" "$q")
[ "$before" = "$after" ] || fail "rebuild changed the opinion tables"
# a changed projection row is caught by verify
t=$(store_copy "$db" t) || fail "copy"
store_sql "$t" "UPDATE opinions SET opinion='no_objection' WHERE id='OP-3'" >/dev/null || fail "tamper"
"$PLUMB" verify --db "$t" >/dev/null 2>&1 && fail "verify misses a changed opinion"
echo ok
