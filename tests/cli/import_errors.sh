#!/bin/bash
# import_errors.sh — every kind of bad row is reported as file:line:field,
# the batch writes nothing, and the store is unchanged (SQLite: its file
# byte for byte; PostgreSQL: every table's rows; helpers/store_lib.sh
# store_digest). Env: PLUMB (binary), PLUMB_SRC (source tree).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
DB=$(store_new p) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$PLUMB_SRC/examples" --db "$DB" --quiet >/dev/null || fail "examples"
CO=$(sed -n 2p "$PLUMB_SRC/examples/market/companies.csv" | cut -d, -f1)

mkdir -p "$T/in"
F=$T/in/payments.csv
cat >"$F" <<CSV
id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id
PAYX1,U002,$CO,,100,2023-03-01,fine,,
PAYX2,U002,$CO,,100,2023-03-01,too few
PAYX3,U002,,433127197003150112,100,2023-03-01,bad citizen id,,
PAYX4,U002,$CO,,100,2023-02-30,impossible date,,
PAYX5,U002,$CO,,-5,2023-03-01,negative,,
PAYX6,U999,$CO,,100,2023-03-01,unknown unit,,
PAYX1,U002,$CO,,999,2023-03-01,same id other content,,
PAYX1,U002,$CO,,100,2023-03-01,fine,,
PAY X8,U002,$CO,,100,2023-03-01,bad id,,
PAYX9,U002,$CO,,100,2023-03-01,"unterminated
PAYX10,U002,$CO,,100,2023-03-01,swallowed,,
CSV

before=$(store_digest "$DB") || fail digest
events_before=$(store_sql "$DB" 'SELECT count(*) FROM ledger_events')

"$PLUMB" import --source finance "$F" --db "$DB" --lang en >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err"
[ $rc -eq 1 ] || fail "exit code $rc, want 1"
expect() { grep -qF -- "$1" "$T/err" || fail "missing: $1"; }
expect "$F:3:contract_id: wrong column count: 7 fields, the header has 9"
expect "$F:4:payee_person_id: "
expect "$F:5:paid_at: '2023-02-30' is not a real date"
expect "$F:6:amount_fen: negative amount -5"
expect "$F:7:unit_id: unknown unit 'U999'"
expect "$F:8:id: duplicate key 'PAYX1': line 2 of $F has the same id with different content"
expect "$F:10:id: "
expect "$F:11:purpose: unterminated quoted field"
grep -q "^$F:9:" "$T/err" && fail "an identical repeat (line 9) is not an error"
[ "$(grep -c "^$F:" "$T/err")" -eq 8 ] || fail "want exactly 8 problems"
grep -q "nothing written" "$T/err" || fail "no one-line summary"
grep -q "nothing written" "$T/out" || fail "summary should say nothing was written"

[ "$before" = "$(store_digest "$DB")" ] || fail "store changed by a rejected batch"
[ "$(store_sql "$DB" 'SELECT count(*) FROM ledger_events')" = "$events_before" ] || fail "events"
[ "$(store_sql "$DB" "SELECT count(*) FROM payments WHERE id LIKE 'PAYX%'")" = 0 ] || fail "rows"

# File-level errors: entity not delivered by the source, unknown column.
"$PLUMB" import --source org "$F" --db "$DB" --lang en 2>"$T/err2" >/dev/null
[ $? -eq 1 ] || fail "wrong source accepted"
grep -qF "$F:0:-: source 'org' does not deliver payments" "$T/err2" || fail "source message"
printf 'id,name,gender,birth_date,shoe_size\n' >"$T/in/persons.csv"
"$PLUMB" import --source org "$T/in/persons.csv" --db "$DB" --lang en 2>"$T/err3" >/dev/null
[ $? -eq 1 ] || fail "unknown column accepted"
grep -qF "$T/in/persons.csv:1:shoe_size: unknown column for persons" "$T/err3" || fail "column"
# Invalid in both UTF-8 and GB18030.
printf 'id,name,gender,birth_date\nx,\x81\n' >"$T/in/persons.csv"
"$PLUMB" import --source org "$T/in/persons.csv" --db "$DB" --lang en 2>"$T/err4" >/dev/null
[ $? -eq 1 ] || fail "bad bytes accepted"
grep -qF "$T/in/persons.csv:2:-: not valid UTF-8 (use --encoding gb18030?)" "$T/err4" ||
    fail "encoding message"
[ "$before" = "$(store_digest "$DB")" ] || fail "store changed by refused files"
echo "import_errors: 1 passed, 0 failed"
