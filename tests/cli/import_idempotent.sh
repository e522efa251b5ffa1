#!/bin/bash
# import_idempotent.sh — re-importing the same rows appends nothing; a
# changed row is one new event; the ledger verifies. On both engines
# (helpers/store_lib.sh: cli.pg.import_idempotent on PostgreSQL).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
DB=$(store_new p) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$PLUMB_SRC/examples" --db "$DB" --quiet --lang en >"$T/o1" || fail "first"
n1=$("$PLUMB" sql --db "$DB" 'SELECT count(*) FROM ledger_events')
rows=$(grep -E '^total' "$T/o1" | awk '{print $2}')
[ "$rows" -gt 50 ] || fail "examples: $rows new rows"
"$PLUMB" import --all "$PLUMB_SRC/examples" --db "$DB" --quiet --lang en >"$T/o2" || fail "second"
[ "$("$PLUMB" sql --db "$DB" 'SELECT count(*) FROM ledger_events')" = "$n1" ] || fail "events were appended"
grep -Eq "^total +0 +0 +$rows +0" "$T/o2" || { cat "$T/o2"; fail "all rows should be unchanged"; }
grep -q "0 events appended" "$T/o2" || fail "summary"
# The events carry the source as actor.
"$PLUMB" sql --db "$DB" "SELECT header FROM ledger_events WHERE type='payment.recorded' LIMIT 1" |
    grep -q '"actor":"import:finance"' || fail "actor"
# One changed row: one event, counted as changed.
mkdir -p "$T/d/finance"
sed 's/维修材料款(二期)/维修材料款(第二期)/' "$PLUMB_SRC/examples/finance/payments.csv" \
    >"$T/d/finance/payments.csv"
"$PLUMB" import --all "$T/d" --db "$DB" --quiet --lang en >"$T/o3" || fail "changed"
grep -Eq "^payments +0 +1 +2 +0" "$T/o3" || { cat "$T/o3"; fail "one changed"; }
[ "$("$PLUMB" sql --db "$DB" 'SELECT count(*) FROM ledger_events')" = "$((n1 + 1))" ] || fail "one event"
"$PLUMB" verify --db "$DB" >"$T/v" 2>&1 || { cat "$T/v"; fail "verify"; }
echo "import_idempotent: 1 passed, 0 failed"
