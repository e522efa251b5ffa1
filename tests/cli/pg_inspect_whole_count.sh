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
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export PGOPTIONS='-c client_min_messages=warning'
U=$("$PLUMB_SRC/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" pg_inspect_whole_count) || fail createdb
export INSPECT_PG_URL=$U PLUMB_STATE_DIR=$T/state
node --test "$PLUMB_SRC/tests/api/inspect_whole_count.test.mjs" >"$T/out" 2>&1 ||
    fail "the totals on PostgreSQL: $(grep -E -A12 '^not ok' "$T/out" | head -60)"
grep -q '^# pass 2' "$T/out" || fail "not every test ran: $(grep '^# ' "$T/out")"
echo "ok: the whole-store totals on PostgreSQL ($(grep '^# pass' "$T/out"))"
