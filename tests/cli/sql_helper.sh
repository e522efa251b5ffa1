#!/bin/bash
# sql_helper.sh — `plumb sql` (issue #20 item 4), the backend-neutral
# stand-in for the sqlite3 shell in tests: rows as the shell's default list
# mode prints them (columns joined by '|', NULL as an empty field, no
# header), statements split on ';' but not inside quotes or comments,
# standard input with '-', and a failing statement is one line and exit 1.
# The expected text is the sqlite3 shell's (written out here, not produced
# by the code under test). Layer: tests/cli (cli, store).
set -u
: "${PLUMB:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=en
DB=$T/s.db
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail init
out=$("$PLUMB" sql --db "$DB" "SELECT 1, 'a;b', NULL, 'x''y'; -- c; d
SELECT 'two' /* ; */ ;;") || fail "select: $out"
[ "$out" = "1|a;b||x'y
two" ] || fail "list mode: got [$out]"
[ "$("$PLUMB" sql --db "$DB" "SELECT value FROM plumb_meta WHERE key='magic'")" = plumbline ] ||
    fail "magic"
out=$(printf "CREATE TABLE t(a INTEGER, b TEXT);\nINSERT INTO t VALUES(1,'p'),(2,NULL);\nSELECT a, b FROM t ORDER BY a;\n" |
    "$PLUMB" sql --db "$DB" -) || fail "stdin: $out"
[ "$out" = "1|p
2|" ] || fail "stdin rows: got [$out]"
err=$("$PLUMB" sql --db "$DB" "SELECT nope FROM t" 2>&1 >/dev/null)
rc=$?
[ $rc = 1 ] || fail "bad statement: exit $rc"
[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] || fail "bad statement: not one line: $err"
case "$err" in "plumb: sql: "*nope*) ;; *) fail "bad statement message: $err" ;; esac
# Statements before the failing one stay done; after it, none runs.
"$PLUMB" sql --db "$DB" "INSERT INTO t VALUES(3,'q'); SELECT nope; INSERT INTO t VALUES(4,'r')" \
    >/dev/null 2>&1 && fail "a failing statement exited 0"
[ "$("$PLUMB" sql --db "$DB" "SELECT group_concat(a) FROM t")" = "1,2,3" ] || fail "stop at error"
"$PLUMB" sql --db "$T/none.db" "SELECT 1" >/dev/null 2>&1 && fail "a missing file was made"
[ -e "$T/none.db" ] && fail "a missing file was made"
[ "$("$PLUMB" sql --create --db "$T/new.db" "SELECT 2")" = 2 ] || fail "--create"
echo ok
