#!/bin/bash
# import_pipe_kill.sh — kill -9 during a pipelined import (producer and
# writer threads, PLUMB_IMPORT_THREADS=2) loses nothing acknowledged: a
# batch committed before (its `plumb import` exited 0) is all there, the
# killed batch is all or nothing, and the ledger verifies
# (docs/IMPORT.md "Pipelined import"; the pattern of import_kill.sh). On
# both engines (helpers/store_lib.sh).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_IMPORT_THREADS=2
DB=$(store_new p) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
# The acknowledged batch: the examples' organisation list.
"$PLUMB" import --all "$PLUMB_SRC/examples" --db "$DB" --no-rules --quiet >/dev/null 2>&1 ||
    fail "the first batch"
q() { store_sql "$DB" "$1"; }
units=$(q 'SELECT count(*) FROM units')
persons0=$(q 'SELECT count(*) FROM persons')
events0=$(q 'SELECT count(*) FROM ledger_events')
# the leaf hashes of the events before seq $1, as bytes (plumb sql writes a
# blob's bytes on either engine), hashed
leaves() { q "SELECT leaf_hash FROM ledger_events WHERE seq < $1 ORDER BY seq" | sha256sum; }
sig0=$(leaves "$events0")
[ "$units" -gt 0 ] && [ "$events0" -gt 0 ] || fail "the first batch wrote nothing"
[ "$sig0" != "$(printf '' | sha256sum)" ] || fail "no leaf hashes read"
N=150000
mkdir -p "$T/org"
# N persons with valid GB 11643 check digits (born 1950-2004: none in the examples).
. "$PLUMB_SRC/tests/cli/helpers/gb_persons.sh"
gb_persons "$N" 433130 王芳 >"$T/org/persons.csv"
[ "$(wc -l <"$T/org/persons.csv")" -eq $((N + 1)) ] || fail "generator"
killed=0
for delay in 0.5 1 2; do
    "$PLUMB" import --source org "$T/org/persons.csv" --db "$DB" --no-rules --quiet >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); fi
    wait $pid 2>/dev/null
    # nothing acknowledged is lost
    [ "$(q 'SELECT count(*) FROM units')" = "$units" ] || fail "units lost after kill at ${delay}s"
    s=$(leaves "$events0")
    [ "$s" = "$sig0" ] || fail "the acknowledged batch's events changed after kill at ${delay}s"
    # the killed batch: all or nothing
    c=$(($(q 'SELECT count(*) FROM persons') - persons0))
    [ "$c" = 0 ] || [ "$c" = $N ] || fail "after kill -9 at ${delay}s: $c new persons (want 0 or $N)"
    e=$(($(q 'SELECT count(*) FROM ledger_events') - events0))
    [ "$e" = "$c" ] || fail "events $e vs new rows $c"
    [ "$c" = $N ] && break
done
[ $killed -gt 0 ] || fail "the import finished before any kill (machine too fast?)"
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify after kill"; }
"$PLUMB" import --source org "$T/org/persons.csv" --db "$DB" --no-rules --quiet >/dev/null 2>&1 || fail "rerun"
[ $(($(q 'SELECT count(*) FROM persons') - persons0)) = $N ] || fail "complete import"
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify after import"; }
echo "import_pipe_kill: 1 passed, 0 failed (killed $killed time(s))"
