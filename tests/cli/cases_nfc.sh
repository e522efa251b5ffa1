#!/bin/bash
# cases_nfc.sh — text typed in NFD (decomposed: "e" + U+0301) through every
# text field of the clue workflow, staff CLI and the reporter portal alike:
# the ledger keeps strings in NFC (docs/LEDGER.md), so the live projection
# must hold NFC too, and `plumb verify` (replay equals the live tables) must
# stay clean. Expected values come from Unicode NFC: U+0065 U+0301 → U+00E9.
set -u
: "${PLUMB:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
DB=$(store_new n) || exit 1
A=433127197001010017 F=433127197506060060
NFD=$(printf 'Cafe\xcc\x81')  # "Café" decomposed
NFC=$(printf 'Caf\xc3\xa9')   # "Café" composed
[ "$NFD" != "$NFC" ] || fail "fixture: the two forms are the same bytes"
mkdir -p "$T/fx/org"
cat >"$T/fx/org/01_units.csv" <<'CSV'
id,parent_id,name,division_code,level,kind,industry
U1,,中共永顺县委,433127,county,party,党委
CD,U1,永顺县纪委监委,433127,county,discipline,纪检
FB,U1,永顺县财政局,433127,county,department,财政
CSV
cat >"$T/fx/org/02_posts.csv" <<'CSV'
id,unit_id,title,rank,is_top,category,portfolio,reports_to
P1,FB,局长,section,1,finance,,
P6,CD,纪检监察员,staff,0,discipline,,
CSV
cat >"$T/fx/org/03_persons.csv" <<CSV
id,name,gender,birth_date,native_place
$A,王局长,M,1970-01-01,
$F,孙主任,F,1975-06-06,
CSV
cat >"$T/fx/org/04_tenures.csv" <<CSV
id,person_id,post_id,start_date,end_date,decision_id
T1,$A,P1,2015-01-01,,
T6,$F,P6,2020-01-01,,
CSV
export PLUMB_NOW=2026-01-05T09:00:00Z
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$T/fx" --db "$DB" --quiet >/dev/null || fail "import"
P() { "$PLUMB" "$@" --db "$DB" --lang en; }

# staff: intake with NFD everywhere (the issue's reproduction is the first line)
printf '%%PDF-1.4\n%%%%EOF\n' >"$T/$NFD.pdf"
P clue add --channel letter --category money --subject-unit FB --summary "$NFD" \
    --facts "facts $NFD" --subject-name "name $NFD" --source-ref "ref $NFD" \
    --attach "$T/$NFD.pdf" --actor "officer $NFD" >/dev/null || fail "add"
P clue add --channel letter --category money --subject-person $A --summary "second $NFD" \
    >/dev/null || fail "add 2"
C=CL-2026-0000001
P clue assign $C --team "team $NFD" --actor "officer $NFD" >/dev/null || fail "assign"
P clue note $C --text "note $NFD" --sub-status "sub $NFD" --actor "officer $NFD" >/dev/null ||
    fail "note"
P clue reply $C --text "reply $NFD" --actor "officer $NFD" >/dev/null || fail "reply"
P clue show $C --reason "read $NFD" --actor "officer $NFD" >/dev/null || fail "show"
export PLUMB_NOW=2026-01-20T09:00:00Z
P clue remind >/dev/null || fail "remind"
P clue dispose $C --method preliminary_verification --reason "dispose $NFD" >/dev/null ||
    fail "dispose"
P clue verify $C --reason "verify $NFD" >/dev/null || fail "verify"
P clue conclude $C --outcome unfounded --reason "conclude $NFD" --basis "basis $NFD" >/dev/null ||
    fail "conclude"
P clue clear-name $C --basis "clear $NFD" >/dev/null || fail "clear name"
P clue archive $C --reason "archive $NFD" >/dev/null || fail "archive"
export PLUMB_OFFICE_PASSPHRASE="county office passphrase"
P office keygen --office CD >/dev/null || fail "keygen"
P office unlock --office CD --reason "unlock $NFD" --role discipline --scope U1 \
    --as-person $F >/dev/null 2>&1 # no clue with a sealed identity: the attempt is still logged

# reporter portal: report, then come back to add material (text and a file)
printf 'portal pass\n' >"$T/pass" && chmod 600 "$T/pass"
P portal report --subject-unit FB --subject-name "portal name $NFD" --category money \
    --summary "portal $NFD" --facts "portal facts $NFD" --attach "$T/$NFD.pdf" \
    --passphrase-file "$T/pass" --addr 198.51.100.7 >"$T/rec" || fail "portal report"
R=$(awk '{print $2}' "$T/rec")
[ ${#R} = 16 ] || fail "receipt: $(cat "$T/rec")"
printf '%%PDF-1.4\n%% more\n%%%%EOF\n' >"$T/more $NFD.pdf"
P portal check "$R" --passphrase-file "$T/pass" --add "added $NFD" --attach "$T/more $NFD.pdf" \
    --addr 198.51.100.7 >/dev/null || fail "portal add"

# the live tables hold NFC: no U+0301 left in any text column of a case table
ACUTE=$(printf '\xcc\x81') # U+0301 in UTF-8, as a literal (LIKE: both engines)
for tc in case_clues:summary case_clues:facts case_clues:subject_name case_clues:source_ref \
    case_clues:team case_clues:sub_status case_clues:method_reason case_clues:route_reason \
    case_history:actor case_history:reason case_notes:text case_notes:author \
    case_notes:sub_status case_replies:text case_materials:text case_attachments:name \
    case_access_log:actor case_access_log:reason case_reminders:reason; do
    t=${tc%%:*} c=${tc#*:}
    n=$("$PLUMB" sql --db "$DB" "SELECT count(*) FROM $t WHERE $c LIKE '%$ACUTE%'") ||
        fail "query $t.$c"
    [ "$n" = 0 ] || fail "$t.$c keeps NFD in $n rows"
done
# … and the NFC form is what was stored (the hand-written expectations)
q() { "$PLUMB" sql --db "$DB" "$1"; }
[ "$(q "SELECT summary FROM case_clues WHERE id='$C'")" = "$NFC" ] || fail "summary not NFC"
[ "$(q "SELECT text FROM case_notes")" = "note $NFC" ] || fail "note not NFC"
[ "$(q "SELECT text FROM case_replies")" = "reply $NFC" ] || fail "reply not NFC"
[ "$(q "SELECT text FROM case_materials")" = "added $NFC" ] || fail "material not NFC"
[ "$(q "SELECT count(*) FROM case_attachments WHERE name='$NFC.pdf'")" = 2 ] ||
    fail "attachment names: $(q "SELECT name FROM case_attachments")"
[ "$(q "SELECT count(*) FROM case_history WHERE actor='officer $NFC'")" -ge 2 ] ||
    fail "actor not NFC: $(q "SELECT DISTINCT actor FROM case_history")"
[ "$(q "SELECT count(*) FROM case_clues WHERE summary='portal $NFC'")" = 1 ] ||
    fail "portal summary not NFC"
[ "$(q "SELECT count(*) FROM case_access_log WHERE reason='read $NFC'")" = 1 ] ||
    fail "read reason not NFC"
# replay equals the live projection
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || fail "verify: $(cat "$T/v")"
"$PLUMB" rebuild --db "$DB" >/dev/null 2>&1 || fail "rebuild"
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || fail "verify after rebuild: $(cat "$T/v")"
echo "ok cases_nfc"
