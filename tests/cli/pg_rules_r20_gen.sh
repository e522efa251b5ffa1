#!/bin/bash
# pg_rules_r20_gen.sh — R20 unexplained wealth on PostgreSQL over generated
# data (plumb gen --scale county --seed 1; docs/GENERATOR.md "R20"), the
# twin of tests/cli/rules_r20.sh's county run on SQLite:
#  1. engine = SQL reference (R20.sql, unchanged on PostgreSQL) = truth.json,
#     key by key with evidence, with R20 planted (> 0 findings);
#  2. the recorded R20 findings (key, subject, severity) = the oracle written
#     from docs/RULES.md's text (tests/cli/r20_oracle.py) over the CSV files;
#  3. the near misses (at the margin, an adult child's home, records outside
#     the period) present in the data and not fired.
# About 40 s on 2 cores (the import of a county on PostgreSQL).
# Layer: tests/cli (rules/sqlref.c, store/pg.c, gen).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
AS_OF=2026-06-30
U=$(pg_db pg_rules_r20_gen) || exit 1
S=$T/state
"$PLUMB" gen --scale county --seed 1 --out "$T/county" --quiet >/dev/null || fail gen
"$PLUMB" init --db "$U" --state-dir "$S" >/dev/null 2>&1 || fail init
"$PLUMB" import --db "$U" --state-dir "$S" --all "$T/county" --as-of $AS_OF --quiet >"$T/imp" 2>&1 ||
    fail "import: $(cat "$T/imp")"
"$PLUMB" rules check --db "$U" --state-dir "$S" --as-of $AS_OF --truth "$T/county/truth.json" \
    >"$T/check" 2>&1 || fail "rules check: $(cat "$T/check")"
grep -q '^engine = sql ' "$T/check" || fail "engine differs from sql: $(cat "$T/check")"
grep -q '^engine = truth' "$T/check" || fail "engine differs from truth.json: $(cat "$T/check")"
awk '$1 == "R20" { if ($(NF-2) == 0 || $(NF-2) != $(NF-1) || $(NF-1) != $NF) bad = 1; found = 1 }
     END { exit !(found && !bad) }' "$T/check" || fail "R20 engine/sql/truth: $(grep '^R20' "$T/check")"
"$PLUMB" sweep --db "$U" --state-dir "$S" --as-of $AS_OF >/dev/null 2>&1 || fail sweep
python3 "$PLUMB_SRC/tests/cli/r20_oracle.py" "$T/county" $AS_OF >"$T/oracle" || fail oracle
awk '$1 == "found" { print "R20", $2, $3, $4 }' "$T/oracle" | sort >"$T/want"
"$PLUMB" findings --db "$U" --state-dir "$S" --rule R20 --json |
    jq -r '.[] | select(.status != "resolved") | "\(.rule) \(.key) \(.subject) \(.severity)"' |
    sort >"$T/got"
diff "$T/want" "$T/got" || fail "recorded R20 findings on PostgreSQL differ from the oracle"
for kind in at_margin adult_child outside; do
    grep -q "^$kind " "$T/oracle" || fail "no near miss '$kind' in the data"
done
while read -r kind key _; do
    case $kind in
        at_margin | adult_child | outside)
            ! grep -q "^R20 $key " "$T/got" || fail "near miss $kind $key fired R20 on PostgreSQL" ;;
    esac
done <"$T/oracle"
echo "ok: R20 on PostgreSQL at county scale: $(wc -l <"$T/got") findings = sql = truth.json = oracle; near misses silent"
