#!/bin/bash
# pg_inspect_reads.sh — the rectification reads over HTTP on PostgreSQL
# (docs/INSPECT.md §4 "How a list is read", §7a): tests/api/
# inspect_scope_fast.test.mjs run against a PostgreSQL store — the whole-store
# reader without the per-row scope test, the wide, narrow and recused readers
# with it, the pages (LIMIT and OFFSET as parameters), the dashboard's counts
# (GROUP BY status, migration 0115's indexes) and the 404 naming round_id —
# every expected row written by hand in that file.
# Layer: tests/cli (http, inspect, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PGOPTIONS='-c client_min_messages=warning'
U=$(pg_db pg_inspect_reads) || exit 1
export INSPECT_PG_URL=$U PLUMB_STATE_DIR=$T/state
node --test "$PLUMB_SRC/tests/api/inspect_scope_fast.test.mjs" >"$T/out" 2>&1 ||
    fail "the reads on PostgreSQL: $(grep -E -A12 '^not ok' "$T/out" | head -60)"
grep -q '^# pass 6' "$T/out" || fail "not every test ran: $(grep '^# ' "$T/out")"
echo "ok: the rectification reads on PostgreSQL ($(grep '^# pass' "$T/out"))"
