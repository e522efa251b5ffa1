#!/bin/bash
# pg_opinion.sh — tests/cli/opinion.sh on PostgreSQL (the fixture pg): the
# same slate, proposals, amend, issue and re-issue, R10 over the issued
# opinions (engine = the PostgreSQL SQL reference, incremental = sweep),
# the PDF and the bad inputs on a fresh database (the SQLite-only rebuild
# and tamper steps are skipped there). Layer: tests/cli (src/declare).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$(pg_db pg_opinion) || exit 1
PLUMB_DB_URL=$U exec bash "$PLUMB_SRC/tests/cli/opinion.sh"
