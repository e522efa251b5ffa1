#!/bin/bash
# pg_sql_json.sh — `plumb sql --json` (issue #20 item 4), the stand-in for
# `sqlite3 -json` in the API tests (tests/api/lib.mjs sqlJson): one JSON
# array of objects keyed by column name per statement that returns rows,
# integers as numbers, NULL as null, text as strings with quotes,
# backslashes and control characters escaped, nothing for no rows. The
# expected text is the sqlite3 shell's -json output (written out here, not
# produced by the code under test); on PostgreSQL (PLUMB_PG_STATE set) the
# same statements give the same text (through ctest: the fixture `pg`). Layer: tests/cli (cli, store).
set -u
: "${PLUMB:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=en
DB=$T/s.db
"$PLUMB" sql --create --db "$DB" "CREATE TABLE t(a INTEGER, b TEXT)" || fail create
check() { # DB LABEL: the same rows, the same text (LABEL in messages: no password)
    "$PLUMB" sql --db "$1" "INSERT INTO t VALUES (1, 'x\"y\\z'), (NULL, '中'), (-7, 'tab	nl
end')" || fail "insert on $2"
    out=$("$PLUMB" sql --json --db "$1" "SELECT a, b AS bee FROM t ORDER BY a NULLS FIRST; SELECT a FROM t WHERE a > 100; SELECT count(*) AS n FROM t") ||
        fail "select on $2: $out"
    want='[{"a":null,"bee":"中"},
{"a":-7,"bee":"tab\tnl\nend"},
{"a":1,"bee":"x\"y\\z"}]
[{"n":3}]'
    [ "$out" = "$want" ] || fail "json on $2: got [$out]"
    # The output is JSON that node reads back to the same values.
    printf '%s\n' "$out" | head -3 | node -e '
      const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
      if (r.length !== 3 || r[0].a !== null || r[1].a !== -7 || r[2].bee !== "x\"y\\z" || r[1].bee !== "tab\tnl\nend") process.exit(1);' ||
        fail "json on $2 does not parse back"
}
check "$DB" sqlite
if [ -n "${PLUMB_PG_STATE:-}" ] && [ -f "$PLUMB_PG_STATE/url" ]; then
    export PGOPTIONS="-c client_min_messages=warning"
    U=$(bash "${PLUMB_SRC:?}/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" cli_sql_json)
    "$PLUMB" sql --db "$U" "CREATE TABLE t(a BIGINT, b TEXT)" || fail "pg create"
    check "$U" postgresql
    bash "$PLUMB_SRC/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" cli_sql_json >/dev/null
fi
echo ok
