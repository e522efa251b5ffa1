#!/bin/bash
# import_sort_indexes.sh — the API's sort indexes (sort_*, migration 0064)
# are dropped by an import into an empty table and built again after its
# rows (src/ingest/import.c): after a good import each one named in the
# migration exists and agrees with its table (SQLite: integrity_check;
# PostgreSQL: every one valid and ready in pg_index); after a rejected
# import into an empty store they are all still there; an import into
# tables that have rows leaves them in place. Both engines (store_lib.sh).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
WANT=$(sed -n 's/^CREATE INDEX IF NOT EXISTS \(sort_[a-z_]*\) ON.*/\1/p' "$PLUMB_SRC/src/store/migrations/0064_sort_indexes.sql" | sort | tr '\n' ' ')
[ "$(echo $WANT | wc -w)" -ge 8 ] || fail "the migration names its indexes: $WANT"
if [ "$STORE_PG" = 0 ]; then
    have() { store_sql "$1" "SELECT name FROM sqlite_master WHERE type='index' AND name LIKE 'sort\_%' ESCAPE '\' ORDER BY name" | tr '\n' ' '; }
    ok() { [ "$(store_sql "$1" "PRAGMA integrity_check")" = "ok" ] || fail "$2: integrity_check"; }
    # the rows read through index $2 (SQLite: INDEXED BY; PostgreSQL: the
    # plan must use it, sequential scans priced out)
    via() { store_sql "$1" "SELECT $4 FROM payments INDEXED BY $2 $3"; }
else
    have() { store_sql "$1" "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'sort\_%' ORDER BY indexname COLLATE \"C\"" | tr '\n' ' '; }
    ok() { # a built index PostgreSQL would use: valid, ready, live
        [ "$(store_sql "$1" "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()
            AND c.relname LIKE 'sort\_%' AND NOT (x.indisvalid AND x.indisready AND x.indislive)")" = 0 ] ||
            fail "$2: an index not valid"
    }
    via() {
        store_sql "$1" "SET enable_seqscan = off; EXPLAIN SELECT $4 FROM payments $3" | grep -Eq "Index.* using $2 on payments|Bitmap Index Scan on $2 " ||
            { store_sql "$1" "SET enable_seqscan = off; EXPLAIN SELECT $4 FROM payments $3"; fail "the plan does not read $2"; }
        store_sql "$1" "SET enable_seqscan = off; SELECT $4 FROM payments $3"
    }
fi

# A rejected batch into empty tables: nothing written, the indexes as before.
DB=$(store_new r) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
[ "$(have "$DB")" = "$WANT" ] || fail "after init: $(have "$DB")"
cp -r "$PLUMB_SRC/examples" "$T/ex"
printf 'PAYBAD,U002,,,-5,2023-03-01,bad,,\n' >>"$T/ex/finance/payments.csv"
"$PLUMB" import --all "$T/ex" --db "$DB" --quiet --no-rules >/dev/null 2>&1 && fail "a bad row was accepted"
[ "$(store_sql "$DB" "SELECT count(*) FROM payments")" = 0 ] || fail "rejected batch wrote payments"
[ "$(have "$DB")" = "$WANT" ] || fail "after a rejected import: $(have "$DB")"
ok "$DB" "rejected"

# A good batch into empty tables: dropped, then built from the rows.
DB=$(store_new g) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$PLUMB_SRC/examples" --db "$DB" --quiet >/dev/null || fail "examples"
N=$(store_sql "$DB" "SELECT count(*) FROM payments")
[ "$N" -gt 0 ] || fail "no payments imported"
[ "$(have "$DB")" = "$WANT" ] || fail "after an import into empty tables: $(have "$DB")"
ok "$DB" "first import"
# The index holds every payment, in amount order (read through it).
[ "$(via "$DB" sort_payments_amount "WHERE amount_fen > -1" "count(*)")" = "$N" ] ||
    fail "sort_payments_amount does not hold the $N payments"

# A batch into tables that have rows: the indexes stay and take the rows.
CO=$(sed -n 2p "$PLUMB_SRC/examples/market/companies.csv" | cut -d, -f1)
F=$T/payments.csv
printf 'id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id\nPAYS1,U002,%s,,123456789,2023-03-01,late,,\n' "$CO" >"$F"
"$PLUMB" import --source finance "$F" --db "$DB" --quiet >/dev/null || fail "second import"
[ "$(have "$DB")" = "$WANT" ] || fail "after an import into a table with rows: $(have "$DB")"
ok "$DB" "second import"
[ "$(via "$DB" sort_payments_amount "ORDER BY amount_fen DESC LIMIT 1" id)" = PAYS1 ] ||
    fail "the new payment is not first by amount"
echo "ok"
