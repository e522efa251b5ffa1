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
awk -v n=$N 'BEGIN {
    split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", W, " "); C = "10X98765432"
    print "id,name,gender,birth_date,native_place"
    for (y = 1950; y <= 2004 && k < n; y++) for (m = 1; m <= 12 && k < n; m++)
    for (d = 1; d <= 28 && k < n; d++) for (s = 1; s <= 999 && k < n; s++) {
        body = sprintf("433127%04d%02d%02d%03d", y, m, d, s); t = 0
        for (i = 1; i <= 17; i++) t += substr(body, i, 1) * W[i]
        printf "%s,张伟,%s,%04d-%02d-%02d,433127\n", body substr(C, t % 11 + 1, 1), (s % 2 ? "M" : "F"), y, m, d
        k++ } }' >"$T/org/persons.csv"
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
