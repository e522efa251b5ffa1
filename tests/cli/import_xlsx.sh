#!/bin/bash
# import_xlsx.sh — .xlsx import (docs/IMPORT.md "Excel"). Workbooks written
# by libxlsxwriter (tests/tools/xlsx_make, which converts CSV files the way a
# person would: real Excel dates, numbers as numbers) hold the same rows as
# the examples' CSV files, in every form the reader must handle: several
# sheets named for their entities (also "01_"-prefixed and by Chinese
# label), a file named for its entity, shared and inline strings, rich
# text, dates in the 1900 and the 1904 system, an empty header column, a
# merged header cell, a merged data cell spanning rows. Imported, every
# table's digest equals the CSV import's. A bad cell is reported as
# file:sheet!C7: reason, exit 1, and the store file is byte-for-byte as
# before. gnumeric's ssconvert is the second producer (skipped with a note
# where it is not installed). On both engines (helpers/store_lib.sh).
# Env: PLUMB, PLUMB_SRC, PLUMB_XLSX_MAKE.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_XLSX_MAKE:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
for x in a b c d e; do # the stores A..E (on PostgreSQL: databases)
    eval "DB${x^^}=\$(store_new $x)" || exit 1
done
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=en
E=$PLUMB_SRC/examples
MK=$PLUMB_XLSX_MAKE
TABLES="units posts persons tenures kin companies company_roles registry_records payments"

digests() { # DB → one line per table: name and digest of its rows
    for t in $TABLES; do
        printf '%s %s\n' "$t" "$(store_sql "$1" "SELECT $(store_cols "$1" $t) FROM $t ORDER BY id" | sha256sum | cut -c1-16)"
    done
}
imp() { # DB SOURCE FILE... (no rules: the rows are compared, not the findings)
    local db=$1 src=$2
    shift 2
    "$PLUMB" import --db "$db" --source "$src" --no-rules --quiet "$@" >"$T/out" 2>"$T/err" ||
        { cat "$T/err"; fail "import $src $* into $db"; }
}
new_db() { rm -f "$1"*; "$PLUMB" init --db "$1" >/dev/null 2>&1 || fail "init $1"; }

# A: the CSV files.
new_db "$DBA"
imp "$DBA" org "$E"/org/*.csv
imp "$DBA" police "$E"/police/*.csv
imp "$DBA" market "$E"/market/*.csv
imp "$DBA" contracts "$E"/contracts/*.csv
imp "$DBA" meetings "$E"/meetings/*.csv
imp "$DBA" finance "$E"/finance/payments.csv
digests "$DBA" >"$T/a.dig"
grep -q ' e3b0c44298fc1c14' "$T/a.dig" && { cat "$T/a.dig"; fail "an empty table in A"; }

ORG_SHEETS="01_units=$E/org/01_units.csv posts=$E/org/02_posts.csv 人员=$E/org/03_persons.csv 04_tenures=$E/org/04_tenures.csv"
MARKET_SHEETS="persons=$E/market/persons.csv companies=$E/market/companies.csv company_roles=$E/market/company_roles.csv registry_records=$E/market/registry_records.csv"

# imp_xlsx DB X WHAT: DB made anew from org, market and payments in the
# workbooks $T/org.xlsx, $T/market.xlsx, $T/payments.xlsx (the rest CSV, as
# in A), its digests in $T/X.dig the same as A's, else fail "WHAT differs".
imp_xlsx() {
    new_db "$1"
    imp "$1" org "$T/org.xlsx"
    imp "$1" police "$E"/police/*.csv
    imp "$1" market "$T/market.xlsx"
    imp "$1" contracts "$E"/contracts/*.csv
    imp "$1" meetings "$E"/meetings/*.csv
    imp "$1" finance "$T/payments.xlsx"
    digests "$1" >"$T/$2.dig"
    diff "$T/a.dig" "$T/$2.dig" || fail "$3 differs from the CSV import"
}

# B: 1900 dates, shared strings; payments.xlsx named for its entity, its
# sheet named anything, with an empty column B, a merged header cell over
# the last column and the next, and unit_id merged down runs of equal units.
"$MK" "$T/org.xlsx" $ORG_SHEETS || fail "xlsx_make org"
"$MK" "$T/market.xlsx" $MARKET_SHEETS || fail "xlsx_make market"
"$MK" -shape -mergedown unit_id "$T/payments.xlsx" "Sheet1=$E/finance/payments.csv" ||
    fail "xlsx_make payments"
unzip -p "$T/payments.xlsx" xl/worksheets/sheet1.xml | grep -q '<mergeCell ref="C2:C3"' ||
    fail "the producer made no merged data cell"
imp_xlsx "$DBB" b "B (1900 dates, shared strings, shapes)"

# C: the 1904 date system, inline strings (constant-memory mode), rich text.
"$MK" -1904 -inline -shape "$T/org.xlsx" $ORG_SHEETS || fail "xlsx_make org 1904"
"$MK" -1904 -shape "$T/market.xlsx" $MARKET_SHEETS || fail "xlsx_make market 1904"
"$MK" -1904 -inline "$T/payments.xlsx" "支付=$E/finance/payments.csv" || fail "xlsx_make payments 1904"
unzip -p "$T/org.xlsx" xl/workbook.xml | grep -q 'date1904="1"' || fail "not a 1904 workbook"
unzip -p "$T/org.xlsx" xl/worksheets/sheet1.xml | grep -q 't="inlineStr"' || fail "no inline strings"
unzip -p "$T/market.xlsx" xl/sharedStrings.xml | grep -q '<si><r>' || fail "no rich text"
imp_xlsx "$DBC" c "C (1904 dates, inline strings, rich text)"

# D: a second producer, gnumeric's ssconvert (scripts/install-deps), one
# workbook per CSV file, named like it (the entity is the file's, read from
# its first sheet); its XML is indented, its strings inline, its dates
# real dates (ssconvert recognises YYYY-MM-DD in the CSV).
if command -v ssconvert >/dev/null; then
    new_db "$DBD"
    for s in org police market contracts meetings finance; do
        mkdir -p "$T/ss/$s"
        if [ $s = police ]; then
            imp "$DBD" police "$E"/police/*.csv # GB18030: CSV, as in A
            continue
        fi
        for f in "$E/$s"/*.csv; do
            b=$(basename "$f" .csv)
            ssconvert "$f" "$T/ss/$s/$b.xlsx" >/dev/null 2>&1 || fail "ssconvert $f"
        done
        imp "$DBD" $s "$T/ss/$s"/*.xlsx
    done
    unzip -p "$T/ss/finance/payments.xlsx" xl/worksheets/sheet1.xml | grep -q gnumeric ||
        fail "not ssconvert's workbook"
    digests "$DBD" >"$T/d.dig"
    diff "$T/a.dig" "$T/d.dig" || fail "D (ssconvert) differs from the CSV import"
    # E: legacy .xls (BIFF8, ssconvert's Excel 97 writer), read by libfreexl.
    # ssconvert stores an all-digit citizen ID as a number, and a BIFF number
    # is a double: its last digits are gone, and the import must say so
    # (checked below); files with such IDs are imported from their CSV here.
    new_db "$DBE"
    nxls=0
    for s in org police market contracts meetings finance; do
        mkdir -p "$T/xls/$s"
        for f in "$E/$s"/*.csv; do
            b=$(basename "$f" .csv)
            if [ $s = police ] || grep -qE '(^|,)[0-9]{16,}(,|$)' "$f"; then
                cp "$f" "$T/xls/$s/$b.csv"
            else
                ssconvert "$f" "$T/xls/$s/$b.xls" >/dev/null 2>&1 || fail "ssconvert $f to .xls"
                nxls=$((nxls + 1))
            fi
        done
        imp "$DBE" $s "$T/xls/$s"/*
    done
    [ $nxls -ge 6 ] || fail "only $nxls .xls files"
    head -c 8 "$T/xls/finance/payments.xls" | od -An -tx1 | grep -q 'd0 cf 11 e0' || fail "not an OLE2 .xls"
    digests "$DBE" >"$T/e.dig"
    diff "$T/a.dig" "$T/e.dig" || fail "E (.xls) differs from the CSV import"
else
    echo "note: ssconvert (gnumeric) not installed: the second producer is skipped"
fi

# Bad cells: a bad credit code in C7, the non-existent 1900-02-29 (serial
# 60 of Excel's leap-year bug) in F3; rows 2-6 and 8 are fine.
CO=$(sed -n 2p "$E/market/companies.csv" | cut -d, -f1)
{
    echo "id,unit_id,payee_company_id,payee_person_id,amount_fen,paid_at,purpose,contract_id,decision_id"
    for i in 1 2 3 4 5; do
        d=2024-03-0$i
        [ $i = 2 ] && d=1900-02-29
        echo "PAYX$i,U002,$CO,,100,$d,fine,,"
    done
    echo "PAYX6,U002,91433127MA4L00011X,,100,2024-03-06,bad check character,,"
    echo "PAYX7,U002,$CO,,100,2024-03-07,fine,,"
} >"$T/bad.csv"
"$MK" "$T/bad.xlsx" "payments=$T/bad.csv" || fail "xlsx_make bad"
before=$(store_digest "$DBB") || fail digest
"$PLUMB" import --db "$DBB" --source finance --no-rules "$T/bad.xlsx" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err"
[ $rc = 1 ] || fail "bad cells: exit $rc, want 1"
grep -q "^$T/bad.xlsx:payments!C7: .*check" "$T/err" || fail "no file:payments!C7 error"
grep -q "^$T/bad.xlsx:payments!F3: .*1900-02-29" "$T/err" || fail "no file:payments!F3 error for serial 60"
[ "$(grep -c "bad.xlsx:" "$T/err")" = 2 ] || fail "other rows reported"
[ "$(store_digest "$DBB")" = "$before" ] || fail "the store changed after a refused batch"

# An all-digit citizen ID stored as a number in an .xls (ssconvert) has
# lost its last digits: refused, saying so, at its cell.
if command -v ssconvert >/dev/null; then
    mkdir -p "$T/numid"
    ssconvert "$E/org/03_persons.csv" "$T/numid/persons.xls" >/dev/null 2>&1 || fail "ssconvert persons"
    "$PLUMB" import --db "$DBB" --source org --no-rules "$T/numid/persons.xls" >"$T/out" 2>"$T/err" &&
        fail "a citizen ID that lost digits was accepted"
    cat "$T/err"
    grep -q "^$T/numid/persons.xls:[^!]*!A[0-9]*: the cell holds the number .*lost digits" "$T/err" ||
        fail "no lost-digits error"
fi

# The same bad cell in an .xls (ssconvert): reported the same way.
if command -v ssconvert >/dev/null; then
    mkdir -p "$T/badxls"
    ssconvert "$T/bad.csv" "$T/badxls/payments.xls" >/dev/null 2>&1 || fail "ssconvert bad.csv"
    "$PLUMB" import --db "$DBB" --source finance --no-rules "$T/badxls/payments.xls" >"$T/out" 2>"$T/err"
    rc=$?
    cat "$T/err"
    [ $rc = 1 ] || fail ".xls bad cells: exit $rc, want 1"
    grep -q "^$T/badxls/payments.xls:[^!]*!C7: .*check" "$T/err" || fail "no file.xls:sheet!C7 error"
    [ "$(store_digest "$DBB")" = "$before" ] || fail "the store changed after a refused .xls batch"
fi

# A sheet that names no entity, and one the source does not deliver: refused.
"$MK" "$T/two.xlsx" "payments=$E/finance/payments.csv" "notes=$T/bad.csv" || fail "xlsx_make two"
"$PLUMB" import --db "$DBB" --source finance --no-rules "$T/two.xlsx" >"$T/out" 2>"$T/err" &&
    fail "a sheet named for no entity was accepted"
grep -q "^$T/two.xlsx:notes: .*does not name an entity" "$T/err" || { cat "$T/err"; fail "no message for sheet 'notes'"; }
"$MK" "$T/three.xlsx" "units=$E/org/01_units.csv" || fail "xlsx_make three"
"$PLUMB" import --db "$DBB" --source finance --no-rules "$T/three.xlsx" >"$T/out" 2>"$T/err" &&
    fail "a sheet the source does not deliver was accepted"
grep -q "^$T/three.xlsx:units: source 'finance' does not deliver units" "$T/err" ||
    { cat "$T/err"; fail "no message for sheet 'units' of finance"; }
# A file named for its entity reads its first sheet; another sheet is named
# in a warning, not read.
"$MK" "$T/payments.xlsx" "Sheet1=$E/finance/payments.csv" "Sheet2=$T/bad.csv" || fail "xlsx_make extra"
"$PLUMB" import --db "$DBB" --source finance --no-rules "$T/payments.xlsx" >"$T/out" 2>"$T/err" ||
    { cat "$T/err"; fail "a file named for its entity with a second sheet was refused"; }
grep -q "^$T/payments.xlsx:Sheet1: warning: sheet 'Sheet2' is not read" "$T/err" ||
    { cat "$T/err"; fail "no warning for the unread sheet"; }
digests "$DBB" | diff "$T/a.dig" - || fail "the unread sheet changed the tables"
before=$(store_digest "$DBB") || fail digest
# Not a workbook at all.
cp "$T/bad.csv" "$T/fake.xlsx"
"$PLUMB" import --db "$DBB" --source finance --no-rules "$T/fake.xlsx" >"$T/out" 2>"$T/err" &&
    fail "a CSV named .xlsx was accepted"
grep -q "not an .xlsx workbook" "$T/err" || { cat "$T/err"; fail "no message for a fake workbook"; }
[ "$(store_digest "$DBB")" = "$before" ] || fail "the store changed after refused batches"
# --partial: the 5 good rows of bad.xlsx are written, the 2 bad ones go to
# the rejects file (CSV) with their cells in the error column.
"$PLUMB" import --db "$DBC" --source finance --no-rules --partial --rejects "$T/rej.csv" \
    "$T/bad.xlsx" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "--partial refused"; }
[ "$(store_sql "$DBC" "SELECT count(*) FROM payments WHERE id LIKE 'PAYX%'")" = 5 ] ||
    fail "--partial: not the 5 good rows"
grep -q '^PAYX6,.*"payments!C7: check' "$T/rej.csv" || { cat "$T/rej.csv"; fail "rejects: no C7"; }
grep -q '^PAYX2,.*"payments!F3: date serial number 60' "$T/rej.csv" ||
    { cat "$T/rej.csv"; fail "rejects: no F3"; }
[ "$(wc -l <"$T/rej.csv")" = 3 ] || { cat "$T/rej.csv"; fail "rejects: not header + 2 rows"; }
echo "ok"
