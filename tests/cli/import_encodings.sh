#!/bin/bash
# import_encodings.sh — GB18030 files (detected and declared) and UTF-8
# files with a byte-order mark import to the same NFC UTF-8 text.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
DB=$(store_new p) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"
mkdir -p "$T/a" "$T/b" "$T/c"
# 王建国 / 陈丽华 in UTF-8 with a BOM, and the same file in GB18030.
printf '\xef\xbb\xbfid,name,gender,birth_date,native_place\n43312719700315011X,王建国,M,1970-03-15,433127\n433127197208080442,陈丽华,F,1972-08-08,\n' \
    >"$T/a/persons.csv"
iconv -f UTF-8 -t GB18030 <(tail -c +4 "$T/a/persons.csv") >"$T/b/persons.csv" || fail iconv
cmp -s "$T/a/persons.csv" "$T/b/persons.csv" && fail "the GB18030 file should differ"
"$PLUMB" import --source police "$T/b/persons.csv" --db "$DB" --quiet --lang en >"$T/out" ||
    fail "GB18030 auto-detection"
grep -q "files read as GB18030: 1" "$T/out" || fail "not reported as GB18030"
[ "$(store_sql "$DB" "SELECT name FROM persons WHERE id='43312719700315011X'")" = "王建国" ] ||
    fail "GB18030 name"
# The BOM file holds the same rows: all unchanged, and the BOM is not in the header.
"$PLUMB" import --source police "$T/a/persons.csv" --db "$DB" --quiet --lang en >"$T/out" ||
    fail "BOM file"
grep -Eq "^persons +0 +0 +2 +0" "$T/out" || { cat "$T/out"; fail "BOM rows should be unchanged"; }
# Declared encoding works, and declaring UTF-8 for a GB18030 file is refused.
"$PLUMB" import --source police "$T/b/persons.csv" --encoding gb18030 --db "$DB" --quiet \
    >/dev/null || fail "declared gb18030"
"$PLUMB" import --source police "$T/b/persons.csv" --encoding utf-8 --db "$DB" --lang en \
    2>"$T/err" >/dev/null
[ $? -eq 1 ] || fail "utf-8 declared for GB18030 accepted"
grep -qF "$T/b/persons.csv:2:-: not valid UTF-8 (use --encoding gb18030?)" "$T/err" ||
    fail "message for declared utf-8"
# A GB18030 file with a bad row: the line number is the physical line.
printf 'id,name,gender,birth_date,native_place\n433127197208080442,陈丽华,F,1972-08-08,\n433127197208080443,张三,F,1972-08-08,\n' |
    iconv -f UTF-8 -t GB18030 >"$T/c/persons.csv"
"$PLUMB" import --source police "$T/c/persons.csv" --db "$DB" --lang en 2>"$T/err" >/dev/null
[ $? -eq 1 ] || fail "bad check digit accepted"
grep -qF "$T/c/persons.csv:3:id: " "$T/err" || fail "GB18030 error line"
# JSON Lines with Chinese keys.
printf '{"公民身份号码":"433127197208080442","姓名":"陈丽华","性别":"F","出生日期":"1972-08-08"}\n' \
    >"$T/c/persons.jsonl"
"$PLUMB" import --source police "$T/c/persons.jsonl" --db "$DB" --quiet --lang en >"$T/out" ||
    fail "jsonl"
grep -Eq "^persons +0 +0 +1 +0" "$T/out" || fail "jsonl row should be unchanged"
echo "import_encodings: 1 passed, 0 failed"
