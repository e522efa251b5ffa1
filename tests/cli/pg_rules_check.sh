#!/bin/bash
# pg_rules_check.sh — `plumb rules check` on PostgreSQL (issue #20 item 2):
# the SQL reference queries run there (src/rules/sql-pg/ for the rules
# whose SQLite query uses SQLite functions: date arithmetic, group_concat,
# scalar MIN/MAX, sums of booleans) and agree with the C engine, findings
# and evidence, at several as-of dates, on the examples; the per-rule table
# is the same as on a SQLite store of the same data. With PG_COUNTY=1, also
# at county scale against truth.json, also on a read-only session (plumb
# gen: every rule planted; about
# 3 minutes of import on 2 cores, so not by default; docs/DEPLOY.md has
# the run).
# Layer: tests/cli (rules/sqlref.c, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$(pg_db pg_rules_check) || exit 1

# One state directory per store (each its own keys).
sd() { printf '%s/state-%s' "$T" "$(printf '%s' "$1" | cksum | cut -d' ' -f1)"; }
load() { # load DB DATA AS_OF
    "$PLUMB" init --db "$1" --state-dir "$(sd "$1")" >/dev/null 2>&1 || fail "init"
    "$PLUMB" import --db "$1" --state-dir "$(sd "$1")" --all "$2" --as-of "$3" --quiet >"$T/imp" 2>&1 ||
        fail "import: $(cat "$T/imp")"
}
check() { # check DB AS_OF [--truth FILE]: prints the table, fails unless engine = sql
    "$PLUMB" rules check --state-dir "$(sd "$1")" --db "$@" >"$T/check" 2>&1 || fail "rules check ${1##*/} $2: $(cat "$T/check")"
    grep -q '^engine = sql ' "$T/check" || fail "engine differs from sql at $2: $(cat "$T/check")"
    grep -E '^R[0-9]{2} ' "$T/check"
}
load "$U" "$PLUMB_SRC/examples" 2026-03-01
load "$T/s.db" "$PLUMB_SRC/examples" 2026-03-01
for d in 2024-06-30 2026-03-01 2028-06-30; do
    check "$U" --as-of $d >"$T/pg.$d" || exit 1
    check "$T/s.db" --as-of $d >"$T/sq.$d" || exit 1
    cmp -s "$T/sq.$d" "$T/pg.$d" || fail "per-rule table differs at $d: $(diff "$T/sq.$d" "$T/pg.$d")"
done
# On a read-only session (what a hot standby gives; here
# default_transaction_read_only for this client) the reference cannot
# fill its temporary tables: the profile parameters are CTEs over arrays
# there (src/rules/sqlref.c ro_with). The same table at the three dates.
for d in 2024-06-30 2026-03-01 2028-06-30; do
    PGOPTIONS="$PGOPTIONS -c default_transaction_read_only=on" check "$U" --as-of $d >"$T/ro.$d" || exit 1
    cmp -s "$T/pg.$d" "$T/ro.$d" || fail "per-rule table differs read-only at $d: $(diff "$T/pg.$d" "$T/ro.$d")"
done
# The examples hold findings of these rules at 2026-03-01 (docs/RULES.md
# examples): a reference that silently returned nothing would not pass.
for r in R01 R03 R09 R14 R15 R16; do
    grep -Eq "^$r .* [1-9][0-9]* +[1-9][0-9]*\$" "$T/pg.2026-03-01" || fail "no $r finding on PostgreSQL"
done
if [ "${PG_COUNTY:-0}" = 1 ]; then
    "$PLUMB" gen --scale county --seed 1 --out "$T/county" --quiet || fail gen
    C=$(pg_db pg_rules_county) || exit 1
    load "$C" "$T/county" 2026-06-30
    check "$C" --as-of 2026-06-30 --truth "$T/county/truth.json" >/dev/null || exit 1
    grep -q '^engine = truth' "$T/check" || fail "county: engine differs from truth.json: $(cat "$T/check")"
    PGOPTIONS="$PGOPTIONS -c default_transaction_read_only=on" check "$C" --as-of 2026-06-30 \
        --truth "$T/county/truth.json" >/dev/null || exit 1
    grep -q '^engine = truth' "$T/check" || fail "county, read-only: engine differs from truth.json: $(cat "$T/check")"
fi
echo "ok: rules check on PostgreSQL: engine = sql at 3 dates, same tables as SQLite and read-only"
