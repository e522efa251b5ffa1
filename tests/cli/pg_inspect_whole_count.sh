#!/bin/bash
# pg_inspect_whole_count.sh — the totals of the rectification reads for a
# whole-store caller on PostgreSQL (docs/INSPECT.md §4 "How a list is
# read"): tests/api/inspect_whole_count.test.mjs run against a PostgreSQL
# store — an unfiltered page's total as the table's count, a filtered page's
# or a recused caller's as the count of its rows, every expected total
# written by hand in that file.
# Layer: tests/cli (http, inspect, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PGOPTIONS='-c client_min_messages=warning'
U=$(pg_db pg_inspect_whole_count) || exit 1
export INSPECT_PG_URL=$U PLUMB_STATE_DIR=$T/state
node --test "$PLUMB_SRC/tests/api/inspect_whole_count.test.mjs" >"$T/out" 2>&1 ||
    fail "the totals on PostgreSQL: $(grep -E -A12 '^not ok' "$T/out" | head -60)"
grep -q '^# pass 2' "$T/out" || fail "not every test ran: $(grep '^# ' "$T/out")"
echo "ok: the whole-store totals on PostgreSQL ($(grep '^# pass' "$T/out"))"
