#!/bin/bash
# pg_report.sh — tests/cli/report_findings.sh and report_round.sh on
# PostgreSQL (the fixture pg): every query of the reports (src/report) runs
# on both engines, and the same hand-written counts come out (findings
# dated by the dashboard's fact date, docs/RULES.md "Trend dates", the
# report's months checked against `plumb dashboard --json`). Layer:
# tests/cli (src/report).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$(pg_db pg_report_findings) || exit 1
PLUMB_DB_URL=$U bash "$PLUMB_SRC/tests/cli/report_findings.sh" || exit 1
U=$(pg_db pg_report_round) || exit 1
PLUMB_DB_URL=$U exec bash "$PLUMB_SRC/tests/cli/report_round.sh"
