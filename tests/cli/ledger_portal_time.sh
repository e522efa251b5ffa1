#!/usr/bin/env bash
# ledger_portal_time.sh — leaves are published (C2SP tiles, proofs), so the
# public (header) time of the reporter portal's events is the UTC day, not
# the second (DESIGN.md §4; issue #15, defect 8). The exact time stays in
# the payload, which is never exported. Checks the exported tile entry
# bytes, the leaf in the reporter's proof, and the payloads.
# On both engines (helpers/store_lib.sh). Needs: $PLUMB, $PLUMB_SRC.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
die() { echo "FAIL: $*"; exit 1; }
DB=$(store_new p) || exit 1
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
CSV
cat >"$T/fx/org/03_persons.csv" <<'CSV'
id,name,gender,birth_date,native_place
433127197001010017,王局长,M,1970-01-01,
CSV
cat >"$T/fx/org/04_tenures.csv" <<'CSV'
id,person_id,post_id,start_date,end_date,decision_id
T1,433127197001010017,P1,2015-01-01,,
CSV
export PLUMB_LANG=en
PLUMB_NOW=2026-03-01T08:00:00Z "$P" init --db "$DB" >"$T/init" 2>&1 || die "init"
PLUMB_NOW=2026-03-01T08:00:00Z "$P" import --all "$T/fx" --db "$DB" --quiet >/dev/null || die "import"
PLUMB_OFFICE_PASSPHRASE="county office passphrase" PLUMB_NOW=2026-03-01T08:00:01Z \
    "$P" office keygen --office CD --db "$DB" >/dev/null || die "office keygen"

# The report and the added material, at a second that must not be published.
printf 'my portal pass\n' >"$T/pass" && chmod 600 "$T/pass"
PLUMB_NOW=2026-03-04T13:37:42Z "$P" portal report --subject-unit FB --subject-name 王局长 \
    --category money --summary 举报 --facts "王局长让亲属承揽工程" --real-name \
    --name 张三 --passphrase-file "$T/pass" --addr 198.51.100.7 --db "$DB" >"$T/rec" ||
    die "portal report: $(cat "$T/rec")"
R=$(awk '{print $2}' "$T/rec")
PLUMB_NOW=2026-03-04T13:37:43Z "$P" portal check "$R" --passphrase-file "$T/pass" \
    --add "补充材料" --addr 198.51.100.7 --db "$DB" >/dev/null || die "portal add"
# The proof (and the tiles' checkpoint) are made later, at another time.
PLUMB_NOW=2026-03-05T09:00:00Z "$P" portal check "$R" --passphrase-file "$T/pass" --proof \
    --addr 198.51.100.7 --db "$DB" >"$T/proof.json" || die "proof"
PLUMB_NOW=2026-03-05T09:00:01Z "$P" export-tiles "$T/tiles" --db "$DB" >/dev/null || die "export-tiles"

# Which events did the portal write? Every event appended at 13:37:4x.
n=$(store_sql "$DB" "SELECT count(*) FROM ledger_events WHERE type IN ('clue.received','clue.material_added')")
[ "$n" = 2 ] || die "expected 2 portal events, found $n"

# 1. No published byte carries the second (or the hour) of the report.
grep -raq "T13:37" "$T/tiles" && die "a tile entry carries the report's time of day"
grep -q "T13:37" "$T/proof.json" && die "the reporter's proof leaf carries the time of day"
# 2. The leaves of the portal's events carry the day.
for ty in clue.received clue.material_added; do
    h=$(store_sql "$DB" "SELECT header FROM ledger_events WHERE type='$ty'")
    grep -qF '"time":"2026-03-04T00:00:00Z"' <<<"$h" || die "$ty header time is not the day: $h"
    grep -raqF "$h" "$T/tiles/tile/entries" || die "$ty leaf not among the exported entries"
done
# Every event the report's transaction appended (rules, registry) too.
others=$(store_sql "$DB" "SELECT count(*) FROM ledger_events WHERE header LIKE '%\"time\":\"2026-03-04T%' AND header NOT LIKE '%\"time\":\"2026-03-04T00:00:00Z\"%'")
[ "$others" = 0 ] || die "$others events of the report's day carry a time of day"
grep '"leaf":' "$T/proof.json" | grep -qF '\"time\":\"2026-03-04T00:00:00Z\"' ||
    die "the proof leaf does not carry the day: $(grep leaf "$T/proof.json")"
# 3. The exact time stays in the payload (and in the clue row).
store_sql "$DB" "SELECT payload FROM ledger_events WHERE type='clue.received'" |
    grep -qF '"received_time":"2026-03-04T13:37:42Z"' || die "exact time lost from the payload"
store_sql "$DB" "SELECT payload FROM ledger_events WHERE type='clue.material_added'" |
    grep -qF '"added_time":"2026-03-04T13:37:43Z"' || die "exact time lost from the material payload"
[ "$(store_sql "$DB" "SELECT received_time FROM case_clues")" = 2026-03-04T13:37:42Z ] ||
    die "case_clues.received_time is not exact"
# 4. Staff events keep their second (only the portal is coarsened).
store_sql "$DB" "SELECT header FROM ledger_events WHERE seq=0" | grep -qF '"time":"2026-03-01T08:00:00Z"' ||
    die "staff event time changed"
"$P" verify --db "$DB" >/dev/null 2>"$T/v" || die "verify: $(cat "$T/v")"
echo "PASS"
