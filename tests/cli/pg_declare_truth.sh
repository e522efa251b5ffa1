#!/bin/bash
# pg_declare_truth.sh — tests/cli/declare_truth.sh on PostgreSQL (the
# fixture pg): the comparison's classes and scores and R09 (engine = the
# PostgreSQL SQL reference src/rules/sql-pg/R09.sql = truth.json) against the
# generator's planted truth, on a fresh database, at county scale only (the
# import of a county on PostgreSQL is the cost: ~40 s on an idle 2-core
# machine; SCALES="county prefecture" adds the prefecture's organs).
# Layer: tests/cli (declare, rules, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
for s in county prefecture; do
    u=$(pg_db "pg_declare_truth_$s") || exit 1
    export "PLUMB_DB_URL_$s=$u"
done
export SCALES=${SCALES:-county}
PLUMB_DB_URL=postgresql exec bash "$PLUMB_SRC/tests/cli/declare_truth.sh"
