#!/bin/bash
# pg_import.sh — the same work on both backends gives the same results
# (issue #20 "Same tests on both"): the examples are imported source by
# source into a SQLite store and into a PostgreSQL one (the throwaway
# cluster, fixture pg), swept, and the two must agree on every per-batch
# rules line, the sweep's table of findings per rule, the finding list, the
# number of ledger events, and the registry rows (units, persons, payments,
# read back through plumb sql in the same order). A rebuild on PostgreSQL
# replays every event and leaves the findings as they were. A differential
# test: the SQLite results are the reference (their truth is checked
# against docs/RULES.md by tests/cli/rules_truth.sh and import_small.sh).
# Layer: tests/cli (store/pg.c, import, rules).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_IMPORT_INCREMENTAL_ROWS
AS_OF=2026-03-01
EX=$PLUMB_SRC/examples
SOURCES="org police market realestate securities vehicles contracts meetings finance declarations evaluations supervision clues"
U=$(pg_db pg_import) || exit 1
SQ=$T/s.db

load() { # load DB KEY OUT (messages name OUT, never the URL with its password)
    PLUMB_KEY=$2 "$PLUMB" init --db "$1" >/dev/null 2>&1 || fail "init ${3##*/}"
    for s in $SOURCES; do
        [ -d "$EX/$s" ] || continue
        PLUMB_KEY=$2 "$PLUMB" import --db "$1" --as-of $AS_OF --quiet --source "$s" "$EX/$s"/* \
            >>"$3" 2>"$T/err" || { cat "$T/err"; fail "$s into ${3##*/}"; }
    done
    PLUMB_KEY=$2 "$PLUMB" sweep --db "$1" --as-of $AS_OF 2>"$T/err" | grep -v '^changes:' >>"$3" ||
        { cat "$T/err"; fail "sweep ${3##*/}"; }
    "$PLUMB" findings --db "$1" --status all >>"$3" 2>&1 || fail "findings ${3##*/}"
    "$PLUMB" sql --db "$1" "SELECT count(*) FROM ledger_events;
        SELECT id, parent_id, name, level FROM units ORDER BY id;
        SELECT id, name, birth_date FROM persons ORDER BY id;
        SELECT id, unit_id, amount_fen, paid_at FROM payments ORDER BY id" >>"$3" || fail "sql ${3##*/}"
}
load "$SQ" "$SQ.key" "$T/sq.out"
load "$U" "$T/pg.key" "$T/pg.out"
grep -q "findings hold\|finding events" "$T/sq.out" || fail "no rules line on SQLite"
[ "$(grep -c . "$T/sq.out")" -gt 40 ] || fail "too little output to compare"
# The timings differ, nothing else may.
for b in sq pg; do sed -E 's/, [0-9.]+ s \([0-9]+ rows\/s\)//' "$T/$b.out" >"$T/$b.cmp"; done
diff "$T/sq.cmp" "$T/pg.cmp" >"$T/diff" || { head -20 "$T/diff"; fail "PostgreSQL differs from SQLite"; }
# A rebuild on PostgreSQL: every event replayed, the findings unchanged.
"$PLUMB" findings --db "$U" --status all >"$T/f1" 2>&1
PLUMB_KEY=$T/pg.key "$PLUMB" rebuild --db "$U" >"$T/rb" 2>&1 || { cat "$T/rb"; fail rebuild; }
n=$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events")
grep -q "events replayed: $n\$" "$T/rb" || fail "rebuild: $(cat "$T/rb") (events $n)"
"$PLUMB" findings --db "$U" --status all >"$T/f2" 2>&1
cmp -s "$T/f1" "$T/f2" || fail "rebuild changed the findings"
echo "ok: $(wc -l <"$T/sq.out") lines the same on both backends"
