#!/bin/bash
# import_kill.sh — kill -9 in the middle of a large import leaves either
# nothing or everything of that batch, and the ledger still verifies.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
DB=$(store_new p) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
N=150000
mkdir -p "$T/org"
# N persons with valid GB 11643 check digits.
. "$PLUMB_SRC/tests/cli/helpers/gb_persons.sh"
gb_persons "$N" 433127 张伟 >"$T/org/persons.csv"
[ "$(wc -l <"$T/org/persons.csv")" -eq $((N + 1)) ] || fail "generator"
count() { store_sql "$DB" 'SELECT count(*) FROM persons'; }
killed=0
for delay in 0.5 1 2; do
    "$PLUMB" import --source org "$T/org/persons.csv" --db "$DB" --quiet >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); fi
    wait $pid 2>/dev/null
    c=$(count)
    [ "$c" = 0 ] || [ "$c" = $N ] || fail "after kill -9 at ${delay}s: $c persons (want 0 or $N)"
    e=$(store_sql "$DB" 'SELECT count(*) FROM ledger_events')
    [ "$e" = "$c" ] || fail "events $e vs rows $c"
    [ "$c" = $N ] && break
done
[ $killed -gt 0 ] || fail "the import finished before any kill (machine too fast?)"
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify after kill"; }
"$PLUMB" import --source org "$T/org/persons.csv" --db "$DB" --quiet >/dev/null || fail "rerun"
[ "$(count)" = $N ] || fail "complete import"
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify after import"; }
echo "import_kill: 1 passed, 0 failed (killed $killed time(s))"
