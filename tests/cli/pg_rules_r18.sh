#!/bin/bash
# pg_rules_r18.sh — R18 五不直管 and R19 (annual duty report and
# heart-to-heart) on PostgreSQL and SQLite (issue #18 item 5):
# the examples with posts' portfolio codes written for R18 (a top post in
# charge of personnel and finance by its codes, one of finance by its old
# free text only, a deputy in charge of procurement, a top post in charge
# of party building) and with R19's supervision activities (U002's leader:
# 2024 complete, 2025 report on 31 Dec but the heart-to-heart held by a
# deputy; U003's: nothing in 2024, 2025 complete) are loaded into both
# engines; on each, the C engine = the SQL reference (R18.sql runs
# unchanged on both, R19 has a PostgreSQL twin), the per-rule tables are
# the same, and the R18 and R19 findings are the ones written here by hand
# from docs/RULES.md.
# Layer: tests/cli (rules/sqlref.c, store/pg.c, model/portfolio.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$(pg_db pg_rules_r18) || exit 1
AS_OF=2026-03-01

cp -r "$PLUMB_SRC/examples" "$T/data"
# a fourth person (valid GB 11643 check digit) holds the deputy post P003
ID4=$(python3 -c '
b = "43312719820704051"
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print(b + "10X98765432"[sum(int(c) * k for c, k in zip(b, w)) % 11])')
printf '%s,彭四,M,1982-07-04,433127\n' "$ID4" >>"$T/data/org/03_persons.csv"
printf 'T004,%s,P003,2020-01-01,,\n' "$ID4" >>"$T/data/org/04_tenures.csv"
# a fifth heads U004 since December 2025: within R19's grace (owes nothing)
ID5=$(python3 -c '
b = "43312719860911062"
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print(b + "10X98765432"[sum(int(c) * k for c, k in zip(b, w)) % 11])')
printf '%s,田五,F,1986-09-11,433127\n' "$ID5" >>"$T/data/org/03_persons.csv"
printf 'U004,U001,永顺县卫生健康局,433127,county,department,卫生\n' >>"$T/data/org/01_units.csv"
printf 'T005,%s,P005,2025-12-10,,\n' "$ID5" >>"$T/data/org/04_tenures.csv"
cat >"$T/data/org/02_posts.csv" <<'EOF'
id,unit_id,title,rank,is_top,category,portfolio,reports_to,portfolio_codes
P001,U001,县委书记,division,1,general,全面工作,,"personnel,finance"
P002,U002,局长,section,1,finance,财政资金,,
P003,U002,副局长,section,0,procurement,政府采购,P002,
P004,U003,局长,section,1,general,教育,,party_building
P005,U004,局长,section,1,general,,,
EOF
L1=43312719700315011X # top leader of U001, the unit above U002 and U003
{
    echo 'id,kind,person_id,unit_id,held_at,notes,held_by'
    tail -n +2 "$PLUMB_SRC/examples/supervision/supervision_activities.csv" | sed 's/$/,/'
    echo "R19-1,duty_report,43312719750620022X,U001,2024-02-01,述责述廉,"
    echo "R19-2,heart_talk,43312719750620022X,U002,2024-03-01,谈心谈话,$L1"
    echo "R19-3,duty_report,43312719750620022X,U001,2025-12-31,述责述廉,"
    echo "R19-4,heart_talk,43312719750620022X,U002,2025-03-01,副职谈心谈话,$ID4"
    echo "R19-5,duty_report,433127198001010337,U001,2025-05-05,述责述廉,"
    echo "R19-6,heart_talk,433127198001010337,U003,2025-05-06,谈心谈话,$L1"
} >"$T/data/supervision/supervision_activities.csv"
# docs/RULES.md R18, default areas: T001 two areas (high), T002 finance by
# its text (medium); T004 is a deputy, T003's post holds party building
cat >"$T/want.txt" <<'EOF'
R18 T001 43312719700315011X high
R18 T002 43312719750620022X medium
EOF
# docs/RULES.md R19 (years 2024, 2025 at 2026-03-01): T002 2025 — the
# report on 31 Dec counts, the deputy's talk does not (medium); T003 2024 —
# neither (high); T001's unit has none above; T004 is a deputy; T005 was
# appointed on 2025-12-10, within 90 days of the year's end
cat >"$T/want19.txt" <<'EOF'
R19 T002|2025 43312719750620022X medium
R19 T003|2024 433127198001010337 high
EOF

sd() { printf '%s/state-%s' "$T" "$(printf '%s' "$1" | cksum | cut -d' ' -f1)"; }
load() { # DB
    "$PLUMB" init --db "$1" --state-dir "$(sd "$1")" >/dev/null 2>&1 || fail "init"
    "$PLUMB" import --db "$1" --state-dir "$(sd "$1")" --all "$T/data" --as-of $AS_OF --quiet \
        >"$T/imp" 2>&1 || fail "import: $(cat "$T/imp")"
}
for db in "$U" "$T/s.db"; do
    load "$db"
    "$PLUMB" rules check --state-dir "$(sd "$db")" --db "$db" --as-of $AS_OF >"$T/check" 2>&1 ||
        fail "rules check ${db##*/}: $(cat "$T/check")"
    grep -q '^engine = sql ' "$T/check" || fail "engine differs from sql on ${db##*/}: $(cat "$T/check")"
    grep -E '^R[0-9]{2} ' "$T/check" >"$T/table.$(basename "$db")"
    grep -Eq '^R18 .* 2 +2$' "$T/check" || fail "R18 engine/sql not 2/2 on ${db##*/}: $(grep '^R18' "$T/check")"
    "$PLUMB" findings --state-dir "$(sd "$db")" --db "$db" --rule R18 --json |
        jq -r '.[] | select(.status != "resolved") | "\(.rule) \(.key) \(.subject) \(.severity)"' |
        sort >"$T/got"
    diff "$T/want.txt" "$T/got" || fail "R18 findings on ${db##*/} differ from the hand-written ones"
    grep -Eq '^R19 .* 2 +2$' "$T/check" || fail "R19 engine/sql not 2/2 on ${db##*/}: $(grep '^R19' "$T/check")"
    "$PLUMB" findings --state-dir "$(sd "$db")" --db "$db" --rule R19 --json |
        jq -r '.[] | select(.status != "resolved") | "\(.rule) \(.key) \(.subject) \(.severity)"' |
        sort >"$T/got19"
    diff "$T/want19.txt" "$T/got19" || fail "R19 findings on ${db##*/} differ from the hand-written ones"
done
cmp -s "$T/table.s.db" "$T/table.$(basename "$U")" ||
    fail "per-rule tables differ: $(diff "$T/table.s.db" "$T/table.$(basename "$U")")"
echo "ok: R18 and R19 on PostgreSQL and SQLite: engine = sql = the hand-written findings"
