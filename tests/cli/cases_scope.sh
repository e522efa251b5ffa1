#!/bin/bash
# cases_scope.sh — issue #15, defect 5, through the CLI (the same library
# as the API): reminders only for the acting user's clues and never for a
# future date, office keys only for discipline offices, wrong office
# passphrases logged (office.unlock_failed) and locked out after 5 like
# sign-in, and clues without a subject person not hidden from a user linked
# to a person. Each error is one line naming the field, exit 1, nothing
# written. Expected values from docs/CASES.md §1 and §3.
set -u
: "${PLUMB:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() {
    echo "FAIL: $*"
    exit 1
}
DB=$(store_new c) || exit 1
A=433127197001010017 F=433127197506060060 G=433127197607070073
mkdir -p "$T/fx/org"
cat >"$T/fx/org/01_units.csv" <<'CSV'
id,parent_id,name,division_code,level,kind,industry
PU,,中共湘西州委,4331,prefecture,party,党委
U1,PU,中共永顺县委,433127,county,party,党委
CD,U1,永顺县纪委监委,433127,county,discipline,纪检
FB,U1,永顺县财政局,433127,county,department,财政
U2,PU,中共龙山县委,433130,county,party,党委
LD,U2,龙山县纪委监委,433130,county,discipline,纪检
CSV
cat >"$T/fx/org/02_posts.csv" <<'CSV'
id,unit_id,title,rank,is_top,category,portfolio,reports_to
P1,FB,局长,section,1,finance,,
P6,CD,纪检监察员,staff,0,discipline,,
P7,LD,纪检监察员,staff,0,discipline,,
CSV
cat >"$T/fx/org/03_persons.csv" <<CSV
id,name,gender,birth_date,native_place
$A,王局长,M,1970-01-01,
$F,孙主任,F,1975-06-06,
$G,周处长,M,1976-07-07,
CSV
cat >"$T/fx/org/04_tenures.csv" <<CSV
id,person_id,post_id,start_date,end_date,decision_id
T1,$A,P1,2015-01-01,,
T6,$F,P6,2020-01-01,,
T7,$G,P7,2020-01-01,,
CSV
export PLUMB_NOW=2026-03-02T09:00:00Z
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$T/fx" --db "$DB" --quiet >/dev/null || fail "import"
P() { "$PLUMB" "$@" --db "$DB" --lang en; }
U1=(--role discipline --scope U1 --as-person "$F" --actor sun)
U2=(--role discipline --scope U2 --as-person "$G" --actor zhou)
size() { store_sql "$DB" "SELECT count(*) FROM ledger_events"; }

# office keys: a discipline office only
export PLUMB_OFFICE_PASSPHRASE="county office passphrase"
n=$(size)
out=$(P office keygen --office FB 2>&1) && fail "key for a finance bureau"
[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "one line: $out"
printf '%s' "$out" | grep -q "office_id: unit FB is not a discipline office" || fail "names office_id: $out"
[ "$(size)" = "$n" ] || fail "a refused keygen wrote"
P office keygen --office CD >/dev/null || fail "keygen CD"

# two clues received on 2026-01-02 (disposal due 2026-02-01: overdue), one per county
P clue add --channel letter --category conduct --subject-unit FB --summary 公车私用 \
    --received-at 2026-01-02 "${U1[@]}" >/dev/null || fail "add in U1"
P clue add --channel letter --category conduct --subject-unit U2 --summary 超标接待 \
    --received-at 2026-01-02 "${U2[@]}" >/dev/null || fail "add in U2"
ONE=$(store_sql "$DB" "SELECT id FROM case_clues WHERE subject_unit_id='FB'")
TWO=$(store_sql "$DB" "SELECT id FROM case_clues WHERE subject_unit_id='U2'")
rem() { store_sql "$DB" "SELECT count(*) FROM case_reminders WHERE clue_id='$1'"; }

# a clue about a unit, no subject person: a user linked to a person sees it
P clue show "$ONE" --reason check "${U1[@]}" >/dev/null 2>&1 || fail "linked user hidden from a unit clue"

# reminders: never a future date, only one's own clues
n=$(size)
out=$(P clue remind --as-of 2026-03-03 "${U1[@]}" 2>&1) && fail "future as_of accepted"
printf '%s' "$out" | grep -q "as_of: .*must not be after today" || fail "names as_of: $out"
[ "$(size)" = "$n" ] || fail "a refused remind wrote"
P clue remind --as-of 2026-03-02 "${U1[@]}" >/dev/null || fail "remind today"
[ "$(rem "$ONE")" = 1 ] || fail "own clue reminded"
[ "$(rem "$TWO")" = 0 ] || fail "another county's clue reminded"
P clue remind "${U2[@]}" >/dev/null || fail "remind U2"
[ "$(rem "$TWO")" = 1 ] || fail "U2's own clue"

# wrong office passphrases: logged, then locked out after 5
P clue add --channel visit --category money --subject-person "$A" --summary 实名反映 \
    --real-name --reporter-identity "某某 13800000000" >/dev/null || fail "add with identity"
ID=$(store_sql "$DB" "SELECT id FROM case_clues WHERE real_name=1")
for i in 1 2 3 4 5; do
    PLUMB_OFFICE_PASSPHRASE="wrong guess $i" P office unlock --office CD --reason 试 --clue "$ID" \
        "${U1[@]}" >/dev/null 2>&1 && fail "wrong passphrase $i"
done
[ "$(store_sql "$DB" "SELECT count(*) FROM case_access_log WHERE kind='unlock_failed' AND actor='sun'")" = 5 ] ||
    fail "each failure logged"
n=$(size)
out=$(P office unlock --office CD --reason 核查 --clue "$ID" "${U1[@]}" 2>&1) && fail "unlock while locked"
printf '%s' "$out" | grep -q "too many wrong passphrases" || fail "says locked: $out"
[ "$(size)" = "$n" ] || fail "a locked try wrote"
PLUMB_NOW=2026-03-02T09:16:00Z P office unlock --office CD --reason 核查 --clue "$ID" "${U1[@]}" 2>/dev/null |
    grep -q "13800000000" || fail "unlock after the lockout"
P verify >/dev/null 2>&1 || fail "verify"
echo "ok"
