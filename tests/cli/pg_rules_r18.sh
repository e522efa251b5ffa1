#!/bin/bash
# pg_rules_r18.sh — R18 五不直管 on PostgreSQL and SQLite (issue #18 item 5):
# the examples with posts' portfolio codes written for R18 (a top post in
# charge of personnel and finance by its codes, one of finance by its old
# free text only, a deputy in charge of procurement, a top post in charge
# of party building) are loaded into both engines; on each, the C engine =
# the SQL reference (src/rules/sql/R18.sql runs unchanged on both), the
# per-rule tables are the same, and the R18 findings are the ones written
# here by hand from docs/RULES.md — the two top posts, not the near misses.
# Layer: tests/cli (rules/sqlref.c, store/pg.c, model/portfolio.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$("$PLUMB_SRC/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" pg_rules_r18) || fail createdb
AS_OF=2026-03-01

cp -r "$PLUMB_SRC/examples" "$T/data"
# a fourth person (valid GB 11643 check digit) holds the deputy post P003
ID4=$(python3 -c '
b = "43312719820704051"
w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print(b + "10X98765432"[sum(int(c) * k for c, k in zip(b, w)) % 11])')
printf '%s,彭四,M,1982-07-04,433127\n' "$ID4" >>"$T/data/org/03_persons.csv"
printf 'T004,%s,P003,2020-01-01,,\n' "$ID4" >>"$T/data/org/04_tenures.csv"
cat >"$T/data/org/02_posts.csv" <<'EOF'
id,unit_id,title,rank,is_top,category,portfolio,reports_to,portfolio_codes
P001,U001,县委书记,division,1,general,全面工作,,"personnel,finance"
P002,U002,局长,section,1,finance,财政资金,,
P003,U002,副局长,section,0,procurement,政府采购,P002,
P004,U003,局长,section,1,general,教育,,party_building
EOF
# docs/RULES.md R18, default areas: T001 two areas (high), T002 finance by
# its text (medium); T004 is a deputy, T003's post holds party building
cat >"$T/want.txt" <<'EOF'
R18 T001 43312719700315011X high
R18 T002 43312719750620022X medium
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
done
cmp -s "$T/table.s.db" "$T/table.$(basename "$U")" ||
    fail "per-rule tables differ: $(diff "$T/table.s.db" "$T/table.$(basename "$U")")"
echo "ok: R18 on PostgreSQL and SQLite: engine = sql = the hand-written findings"
