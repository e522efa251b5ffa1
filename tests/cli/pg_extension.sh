#!/bin/bash
# pg_extension.sh — a database with an extension's objects in its schema
# (pg_stat_statements, which pg_auto_failover installs in every database it
# creates: docs/DEPLOY.md "High availability") is an empty database to
# `plumb init`, not "another application's", and `plumb verify` does not
# count the extension's views and functions as part of the store's schema
# (docs/ARCHITECTURE.md "SQL dialect"). A table of another application
# beside them is still refused. Layer: tests/cli (store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning' PLUMB_STATE_DIR=$T/state
unset PLUMB_KEY
U=$(pg_db pg_extension) || exit 1
"$PLUMB" sql --db "$U" "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" || fail "create extension"
[ "$("$PLUMB" sql --db "$U" "SELECT count(*) FROM pg_views WHERE schemaname = 'public'")" -ge 1 ] ||
    fail "the extension made no view in public"
"$PLUMB" init --db "$U" >"$T/init" 2>&1 || fail "init beside an extension: $(cat "$T/init")"
"$PLUMB" import --db "$U" --all "$PLUMB_SRC/examples" --as-of 2026-03-01 --quiet >"$T/imp" 2>&1 ||
    fail "import: $(cat "$T/imp")"
"$PLUMB" verify --db "$U" >"$T/verify" 2>&1 || fail "verify: $(tail -3 "$T/verify")"
# Another application's table beside the extension: still refused.
U2=$(pg_db pg_extension_other) || exit 1
"$PLUMB" sql --db "$U2" "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" || fail "create extension 2"
"$PLUMB" sql --db "$U2" "CREATE TABLE orders(id int PRIMARY KEY)" || fail "other table"
msg=$(env PLUMB_STATE_DIR="$T/state2" "$PLUMB" init --db "$U2" 2>&1)
[ $? = 1 ] || fail "init over another application's table: $msg"
printf '%s' "$msg" | grep -q "not a Plumbline store" || fail "message: $msg"
echo "ok: init, import and verify beside pg_stat_statements; another table still refused"
