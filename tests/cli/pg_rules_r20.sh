#!/bin/bash
# pg_rules_r20.sh — R20 unexplained wealth (docs/RULES.md; DESIGN.md §6) on
# PostgreSQL and SQLite: the examples plus, as of 2026-03-01 (period
# 2023–2025, margin 30 % but at least 500,000 元):
#  - 王 (…011X): income 300,000 元 a year declared for 2023–2025 and
#    100,000 元 of securities in the 2022 declaration (resources 1,000,000);
#    the spouse's shop 1,200,000 元 (2024) and the own car 300,001 元 (2025):
#    1,500,001 > 1,000,000 + 500,000 → found, just over;
#  - 李 (…022X): income 200,000 元 a year (600,000); own flat 1,100,000 元
#    (2025) = 600,000 + 500,000 exactly → not found (a near miss just
#    under); an adult child's house of 3,000,000 元 (2024) is not the
#    household's → not counted;
#  - 赵 (…0337) and 孙 (…0661): income 700,000 元 a year each (resources
#    2,100,000; the 30 % margin, 630,000, is above the floor, so the
#    percentage decides): 赵's flat 2,730,000 元 (2024) is exactly at the
#    margin → not found; 孙's car 2,730,000.01 元 (2025) is one fen over →
#    found (a default margin of 25 % would find 赵, one of 35 % miss 孙);
# on each engine the C engine = the SQL reference (R20.sql unchanged on
# both), the per-rule tables are equal, the R20 findings and evidence are
# the ones written here by hand; a profile with no floor finds 李 (600,000 +
# 180,000 < 1,100,000) and still not the adult child's house; a negative
# margin is refused on one line naming r20_margin_pct, nothing written.
# Layer: tests/cli (rules/sqlref.c, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$(pg_db pg_rules_r20) || exit 1
AS_OF=2026-03-01
P1=43312719700315011X SP1=433127197208080442 P2=43312719750620022X CH2=433127199009090778
P3=433127198001010337 P4=433101196502020661

cp -r "$PLUMB_SRC/examples" "$T/data"
d=$T/data
printf 'K-R20,%s,%s,child\n' "$P2" "$CH2" >>"$d/police/kin.csv"
cat >>"$d/declarations/declarations.csv" <<EOF
DEC-2022-001,$P1,2022,2023-01-20
DEC-2024-001,$P1,2024,2025-01-20
DEC-2025-001,$P1,2025,2026-01-20
DEC-2024-002,$P2,2024,2025-01-22
DEC-2025-002,$P2,2025,2026-01-22
DEC-2023-003,$P3,2023,2024-01-21
DEC-2024-003,$P3,2024,2025-01-21
DEC-2025-003,$P3,2025,2026-01-21
DEC-2023-004,$P4,2023,2024-01-23
DEC-2024-004,$P4,2024,2025-01-23
DEC-2025-004,$P4,2025,2026-01-23
EOF
cat >>"$d/declarations/declaration_items.csv" <<EOF
DI-R20-01,DEC-2022-001,securities,$P1,A000000001,10000000,证券市值
DI-R20-02,DEC-2023-001,income,$P1,工资薪金,30000000,
DI-R20-03,DEC-2024-001,income,$P1,工资薪金,30000000,
DI-R20-04,DEC-2025-001,income,$P1,工资薪金,30000000,
DI-R20-05,DEC-2023-002,income,$P2,工资薪金,20000000,
DI-R20-06,DEC-2024-002,income,$P2,工资薪金,20000000,
DI-R20-07,DEC-2025-002,income,$P2,工资薪金,20000000,
DI-R20-08,DEC-2023-003,income,$P3,工资薪金,70000000,
DI-R20-09,DEC-2024-003,income,$P3,工资薪金,70000000,
DI-R20-10,DEC-2025-003,income,$P3,工资薪金,70000000,
DI-R20-11,DEC-2023-004,income,$P4,工资薪金,70000000,
DI-R20-12,DEC-2024-004,income,$P4,工资薪金,70000000,
DI-R20-13,DEC-2025-004,income,$P4,工资薪金,70000000,
EOF
cat >>"$d/realestate/registry_records.csv" <<EOF
RE-R20-1,real_estate,real_estate,$SP1,湘(2024)永顺县不动产权第0009001号,120000000,2024-05-01,商铺
RE-R20-2,real_estate,real_estate,$P2,湘(2025)永顺县不动产权第0009002号,110000000,2025-06-01,住宅
RE-R20-3,real_estate,real_estate,$CH2,湘(2024)永顺县不动产权第0009003号,300000000,2024-02-01,成年子女住宅
RE-R20-4,real_estate,real_estate,$P3,湘(2024)永顺县不动产权第0009004号,273000000,2024-07-01,住宅
EOF
printf 'VEH-R20-1,vehicles,vehicle,%s,湘U·R2001,30000100,2025-03-01,小型轿车\n' "$P1" >>"$d/vehicles/registry_records.csv"
printf 'VEH-R20-2,vehicles,vehicle,%s,湘U·R2002,273000001,2025-04-01,小型轿车\n' "$P4" >>"$d/vehicles/registry_records.csv"

# docs/RULES.md R20, by hand: key subject severity, then the evidence
# (sorted: 孙 …0661's id sorts before 王's)
cat >"$T/want.txt" <<EOF
R20 $P4 $P4 high declarations:DEC-2023-004,declarations:DEC-2024-004,declarations:DEC-2025-004,registry_records:VEH-R20-2
R20 $P1 $P1 high declarations:DEC-2022-001,declarations:DEC-2023-001,declarations:DEC-2024-001,declarations:DEC-2025-001,registry_records:RE-R20-1,registry_records:VEH-R20-1
EOF

sd() { printf '%s/state-%s' "$T" "$(printf '%s' "$1" | cksum | cut -d' ' -f1)"; }
got() { # DB: R20 findings with their evidence (plumb explain), sorted
    "$PLUMB" findings --state-dir "$(sd "$1")" --db "$1" --rule R20 --json |
        jq -r '.[] | select(.status != "resolved") | "\(.id) \(.rule) \(.key) \(.subject) \(.severity)"' |
        while read -r id rest; do
            ev=$("$PLUMB" explain "$id" --state-dir "$(sd "$1")" --db "$1" --lang en |
                sed -n 's/^evidence: //p' | jq -r 'sort | join(",")')
            echo "$rest $ev"
        done | sort
}
check() { # DB label: engine = sql, prints the per-rule table
    "$PLUMB" rules check --state-dir "$(sd "$1")" --db "$1" --as-of $AS_OF >"$T/check" 2>&1 ||
        fail "rules check $2: $(cat "$T/check")"
    grep -q '^engine = sql ' "$T/check" || fail "engine differs from sql ($2): $(cat "$T/check")"
    grep -E '^R[0-9]{2} ' "$T/check"
}
for db in "$U" "$T/s.db"; do
    n=$(basename "$db")
    "$PLUMB" init --db "$db" --state-dir "$(sd "$db")" >/dev/null 2>&1 || fail "init"
    "$PLUMB" import --db "$db" --state-dir "$(sd "$db")" --all "$d" --as-of $AS_OF --quiet \
        >"$T/imp" 2>&1 || fail "import: $(cat "$T/imp")"
    check "$db" "$n" >"$T/table.$n" || exit 1
    grep -Eq '^R20 .* 2 +2$' "$T/table.$n" || fail "R20 engine/sql not 2/2 on $n: $(grep '^R20' "$T/table.$n")"
    got "$db" >"$T/got"
    diff "$T/want.txt" "$T/got" || fail "R20 findings on $n differ from the hand-written ones"

    # bad input: nothing written
    if "$PLUMB" profile set bad --param r20_margin_pct=-5 --reason x --db "$db" \
        --state-dir "$(sd "$db")" 2>"$T/e.txt"; then
        fail "a negative r20_margin_pct was accepted on $n"
    fi
    [ "$(wc -l <"$T/e.txt")" -eq 1 ] || fail "more than one line: $(cat "$T/e.txt")"
    grep -q "r20_margin_pct" "$T/e.txt" || fail "error does not name r20_margin_pct: $(cat "$T/e.txt")"
    "$PLUMB" rules check --state-dir "$(sd "$db")" --db "$db" --as-of $AS_OF >"$T/check2" 2>&1
    grep -E '^R[0-9]{2} ' "$T/check2" | cmp -s - "$T/table.$n" || fail "the refused profile changed findings on $n"

    # no floor: 李 found (1,100,000 > 600,000 + 180,000); the adult child's house not counted
    "$PLUMB" profile set no_floor --param r20_floor_yuan=0 --reason "按比例容差" --db "$db" \
        --state-dir "$(sd "$db")" >/dev/null 2>&1 || fail "profile set on $n"
    check "$db" "$n, no floor" >/dev/null || exit 1
    got "$db" | grep -q "^R20 $P2 $P2 high declarations:DEC-2023-002,declarations:DEC-2024-002,declarations:DEC-2025-002,registry_records:RE-R20-2$" ||
        fail "no floor on $n: $(got "$db")"
    # the percentage alone: 赵 still exactly at 30 %, 孙 still one fen over
    ! got "$db" | grep -q "^R20 $P3 " || fail "no floor on $n: 赵 at the 30 % margin found: $(got "$db")"
    got "$db" | grep -q "^R20 $P4 $P4 high " || fail "no floor on $n: 孙 one fen over 30 % not found"
done
cmp -s "$T/table.s.db" "$T/table.$(basename "$U")" ||
    fail "per-rule tables differ: $(diff "$T/table.s.db" "$T/table.$(basename "$U")")"
echo "ok: R20 on PostgreSQL and SQLite: engine = sql = the hand-written findings"
