#!/bin/bash
# import_partial.sh — --partial commits the good rows and writes each bad
# one to the rejects file: the original record plus an "error" column.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
DB=$(store_new p) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
"$PLUMB" import --all "$PLUMB_SRC/examples" --db "$DB" --quiet >/dev/null || fail "examples"
CO=$(sed -n 2p "$PLUMB_SRC/examples/market/companies.csv" | cut -d, -f1)
F=$T/payments.csv
cat >"$F" <<CSV
id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id
PAYP1,U002,$CO,,100,2023-03-01,good one,,
PAYP2,U002,$CO,,-5,2023-03-01,"negative, quoted",,
PAYP3,U999,$CO,,100,2023-03-01,unknown unit,,
PAYP4,U003,$CO,,200,2023-04-01,good two,,
PAYP5,U002,$CO,,100
CSV
"$PLUMB" import --source finance "$F" --partial --db "$DB" --lang en >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 0 ] || { cat "$T/err"; fail "partial exit $rc"; }
R=$F.rejects.csv
[ -f "$R" ] || fail "no rejects file at the default path"
grep -qF "rejected rows written to: $R" "$T/out" || fail "summary names the rejects file"
grep -Eq "^payments +2 +0 +0 +3" "$T/out" || { cat "$T/out"; fail "counts"; }
[ "$(store_sql "$DB" "SELECT id FROM payments WHERE id LIKE 'PAYP%' ORDER BY id" | paste -sd,)" = "PAYP1,PAYP4" ] ||
    fail "good rows not committed"
cat >"$T/want" <<CSV
id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id,error
PAYP2,U002,$CO,,-5,2023-03-01,"negative, quoted",,,line 3: amount_fen: negative amount -5
PAYP3,U999,$CO,,100,2023-03-01,unknown unit,,,line 4: unit_id: unknown unit 'U999'
PAYP5,U002,$CO,,100,,,,,"line 6: paid_at: wrong column count: 5 fields, the header has 9"
CSV
diff -u "$T/want" "$R" || fail "rejects file content"
# The rejects file, once fixed, imports as payments (its error column is ignored).
sed -i -e 's/,-5,/,5,/' -e 's/U999/U002/' -e '/PAYP5/d' "$R"
"$PLUMB" import --source finance "$R" --db "$DB" --quiet --lang en >"$T/out2" 2>&1 ||
    { cat "$T/out2"; fail "fixed rejects"; }
grep -Eq "^payments +2 +0 +0 +0" "$T/out2" || fail "fixed rejects counts"
# --rejects FILE chooses the path; nothing is left behind by a refused batch.
"$PLUMB" import --source org "$F" --partial --rejects "$T/r.csv" --db "$DB" >/dev/null 2>&1
[ $? -eq 1 ] || fail "wrong source with --partial must fail"
[ -e "$T/r.csv" ] && fail "rejects file of a refused batch"
echo "import_partial: 1 passed, 0 failed"
