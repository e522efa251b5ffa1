#!/bin/bash
# pg_declare_rounds.sh — tests/cli/declare_rounds.sh on PostgreSQL (the
# fixture pg): the same rounds, draw, independent recomputation, classes,
# conclusions and bad inputs on a fresh database (the SQLite-only tamper
# and rebuild steps are skipped there). Layer: tests/cli (src/declare).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$(pg_db pg_declare_rounds) || exit 1
PLUMB_DB_URL=$U exec bash "$PLUMB_SRC/tests/cli/declare_rounds.sh"
