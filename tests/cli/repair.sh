#!/bin/bash
# repair.sh — normalisation and repair on ingest (docs/IMPORT.md "Repairs"):
# each kind of damage in a CSV row is repaired and reported as
# file:line:field: warning: repaired: … with the before and after, the
# repaired value is stored, the name as given with its match key beside it
# (traditional → simplified for matching only); an Excel row's warning names
# its cell; damage that cannot be repaired unambiguously refuses the row,
# and the batch leaves the store byte for byte as it was.
# The damaged values are made from the clean ones with iconv (the bytes of
# the clean text read as Latin-1), so every expected value is the clean one.
# Env: PLUMB, PLUMB_SRC, PLUMB_XLSX_MAKE.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_XLSX_MAKE:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
fail() {
    echo "FAIL: $*"
    exit 1
}
DB=$(store_new p) || exit 1
"$PLUMB" init --db "$DB" >/dev/null 2>&1 || fail "init"

# 王芳 in GB18030, read as Latin-1.
WANGFANG=$(printf '王芳' | iconv -f UTF-8 -t GB18030 | iconv -f LATIN1 -t UTF-8)
# 個人 (8280 C8CB) read as CP1252.
GEREN=$(printf '個人' | iconv -f UTF-8 -t GB18030 | iconv -f CP1252 -t UTF-8)
mkdir -p "$T/in"
U=$T/in/units.csv
# 好。“一把手”是黨政 as GBK (BAC3 A1A3 A1B0 D2BB …) read by a decoder that
# lost the byte A1 and wrote it as \xA1: 好\xA1！耙话咽帧笔屈h政, the ！ folded.
cat >"$U" <<'CSV'
id,parent_id,name,division_code,level,kind,industry
UR1,,永顺县ＸＹ局,４３３１２７,county,department,好\xA1!耙话咽帧笔屈h政
CSV
printf 'UR2,,永顺县测试站,433127,county,department,%s\n' "$GEREN" >>"$U"
"$PLUMB" import --source org "$U" --db "$DB" --lang en --quiet --no-rules >/dev/null 2>"$T/erru" ||
    { cat "$T/erru"; fail "units"; }
cat "$T/erru"
expectu() { grep -qxF -- "$1" "$T/erru" || fail "missing: $1"; }
expectu "$U:2:name: warning: repaired: full-width characters folded: '永顺县ＸＹ局' → '永顺县XY局'"
expectu "$U:2:division_code: warning: repaired: full-width or compatibility characters normalised (NFKC): '４３３１２７' → '433127'"
expectu "$U:2:industry: warning: repaired: GBK text decoded one byte out of step repaired: '好\xA1!耙话咽帧笔屈h政' → '好。“一把手”是黨政'"
expectu "$U:3:industry: warning: repaired: GB18030 text read as Latin-1/CP1252 repaired: '$GEREN' → '個人'"
[ "$(grep -c "^$U:" "$T/erru")" -eq 4 ] || fail "want exactly 4 warnings for the units"
[ "$(store_sql "$DB" "SELECT name||'|'||division_code||'|'||industry FROM units WHERE id='UR1'")" = \
    '永顺县XY局|433127|好。“一把手”是黨政' ] || fail "units stored"
[ "$(store_sql "$DB" "SELECT industry FROM units WHERE id='UR2'")" = 個人 ] || fail "CP1252 stored"

F=$T/in/persons.csv
cat >"$F" <<CSV
id,name,gender,birth_date,native_place
４３３１２７１９８００１０１００１１,张三,M,1980-01-01,433127
43312719800101002×,李　四,F,1980-01-01,433127
433127198001010038,阿依古丽•买买提,M,1980-01-01,433127
433127198001010046,張偉,F,1980-01-01,433127
433127198001010054,$WANGFANG,M,1980-01-01,433127
433127198001010062,覃(qín)海,F,1980-01-01,433127
433127198001010070,龙飞,M,１９８０－０１－０１,433127
433127198001010089,阿依古丽-买买提,F,1980-01-01,433127
CSV
"$PLUMB" import --source org "$F" --db "$DB" --lang en --quiet --no-rules >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err"
[ $rc -eq 0 ] || fail "exit code $rc, want 0"
expect() { grep -qxF -- "$1" "$T/err" || fail "missing: $1"; }
expect "$F:2:id: warning: repaired: full-width or compatibility characters normalised (NFKC): '４３３１２７１９８００１０１００１１' → '433127198001010011'"
expect "$F:3:id: warning: repaired: ID check character written as X: '43312719800101002×' → '43312719800101002X'"
expect "$F:3:name: warning: repaired: name trimmed and de-padded: '李　四' → '李四'"
expect "$F:4:name: warning: repaired: middle dot unified to U+00B7: '阿依古丽•买买提' → '阿依古丽·买买提'"
expect "$F:6:name: warning: repaired: GB18030 text read as Latin-1/CP1252 repaired: '$WANGFANG' → '王芳'"
expect "$F:7:name: warning: repaired: pinyin annotation removed: '覃(qín)海' → '覃海'"
expect "$F:8:birth_date: warning: repaired: full-width or compatibility characters normalised (NFKC): '１９８０－０１－０１' → '1980-01-01'"
expect "$F:9:name: warning: repaired: middle dot unified to U+00B7: '阿依古丽-买买提' → '阿依古丽·买买提'"
# 張偉 is as given: no warning for it.
grep -q "^$F:5:" "$T/err" && fail "line 5 (traditional, stored as given) has a warning"
[ "$(grep -c "^$F:" "$T/err")" -eq 8 ] || fail "want exactly 8 warnings"

q() { store_sql "$DB" "$1"; }
[ "$(q "SELECT name FROM persons WHERE id='433127198001010011'")" = 张三 ] || fail "NFKC id"
[ "$(q "SELECT name FROM persons WHERE id='43312719800101002X'")" = 李四 ] || fail "X, de-pad"
[ "$(q "SELECT name FROM persons WHERE id='433127198001010038'")" = 阿依古丽·买买提 ] || fail "dot"
[ "$(q "SELECT name FROM persons WHERE id='433127198001010046'")" = 張偉 ] || fail "as given"
[ "$(q "SELECT name FROM persons WHERE id='433127198001010054'")" = 王芳 ] || fail "mojibake"
[ "$(q "SELECT name FROM persons WHERE id='433127198001010062'")" = 覃海 ] || fail "pinyin"
[ "$(q "SELECT birth_date FROM persons WHERE id='433127198001010070'")" = 1980-01-01 ] ||
    fail "date"
# The match key: simplified, separators dropped; 張偉 and 张伟 match.
[ "$(q "SELECT match_key FROM match_keys WHERE entity='person' AND id='433127198001010046'")" = 张伟 ] ||
    fail "match key of 張偉"
[ "$(q "SELECT match_key FROM match_keys WHERE entity='person' AND id='433127198001010038'")" = 阿依古丽买买提 ] ||
    fail "match key of 阿依古丽·买买提"
[ "$(q "SELECT count(*) FROM match_keys WHERE entity='person'")" = 8 ] || fail "8 match keys"
# The key is a projection of the events: verify replays it.
"$PLUMB" verify --db "$DB" >/dev/null 2>&1 || fail "verify after repairs"
# Re-importing the same file appends nothing.
n0=$(q 'SELECT count(*) FROM ledger_events')
"$PLUMB" import --source org "$F" --db "$DB" --quiet --no-rules >/dev/null 2>&1 || fail "again"
[ "$(q 'SELECT count(*) FROM ledger_events')" = "$n0" ] || fail "re-import appended events"

# Excel: the warning names the cell.
printf 'id,name,gender,birth_date,native_place\n433127198001010097,王　五,M,1980-01-01,433127\n' \
    >"$T/p.csv"
"$PLUMB_XLSX_MAKE" "$T/persons.xlsx" "persons=$T/p.csv" || fail "xlsx_make"
"$PLUMB" import --source org "$T/persons.xlsx" --db "$DB" --lang en --quiet --no-rules \
    2>"$T/errx" >/dev/null || fail "xlsx import"
grep -qxF "$T/persons.xlsx:persons!B2: warning: repaired: name trimmed and de-padded: '王　五' → '王五'" \
    "$T/errx" || { cat "$T/errx"; fail "xlsx warning"; }

# Damage that cannot be repaired: the rows are refused, nothing is written.
CUT=$(printf '张伟' | iconv -f UTF-8 -t GB18030 | head -c 3 | iconv -f LATIN1 -t UTF-8)
printf 'id,name,gender,birth_date,native_place\n433127198001010118,%s,M,1980-01-01,433127\n' \
    "$CUT" >"$T/in/persons.csv"
G=$T/in/units.csv
cat >"$G" <<CSV
id,parent_id,name,division_code,level,kind,industry
UX1,,永顺县测试局,433127,county,department,管住用好?!耙话咽帧笔屈h政
CSV
before=$(store_digest "$DB") || fail digest
"$PLUMB" import --source org "$T/in/persons.csv" "$G" --db "$DB" --lang en --quiet >"$T/out2" \
    2>"$T/err2"
rc=$?
cat "$T/err2"
[ $rc -eq 1 ] || fail "damaged batch: exit code $rc, want 1"
F2=$T/in/persons.csv
expect2() { grep -qxF -- "$1" "$T/err2" || fail "missing: $1"; }
expect2 "$F2:2:name: looks like GB18030 text read as Latin-1/CP1252 ('$CUT'), but its bytes do not decode to Chinese text: cannot repair it unambiguously; correct it at the source"
expect2 "$G:2:industry: looks like GBK text decoded one byte out of step ('?!耙话咽帧笔屈h' re-aligned reads '?“一把手”是黨'), but the character at '?' is lost: cannot repair it unambiguously; correct it at the source"
grep -q "nothing written" "$T/err2" || fail "no summary"
[ "$before" = "$(store_digest "$DB")" ] || fail "store changed by a refused batch"

# --partial: the refused row goes to the rejects file with its error, the
# good row is written (repaired).
printf 'id,name,gender,birth_date,native_place\n433127198001010118,%s,M,1980-01-01,433127\n433127198001010310,孙　七,F,1980-01-01,433127\n' \
    "$CUT" >"$T/in/persons.csv"
"$PLUMB" import --source org "$T/in/persons.csv" --db "$DB" --lang en --quiet --no-rules \
    --partial --rejects "$T/rej.csv" >/dev/null 2>"$T/errp" || fail "partial exit"
grep -qF "line 2: name: looks like GB18030 text read as Latin-1/CP1252" "$T/rej.csv" ||
    { cat "$T/rej.csv"; fail "rejects file"; }
[ "$(store_sql "$DB" "SELECT name FROM persons WHERE id='433127198001010310'")" = 孙七 ] ||
    fail "partial: good row"
[ "$(store_sql "$DB" "SELECT count(*) FROM persons WHERE id='433127198001010118'")" = 0 ] ||
    fail "partial: refused row written"

# Chinese messages by default: the warning prefix.
printf 'id,name,gender,birth_date,native_place\n433127198001010214,赵　六,M,1980-01-01,433127\n' \
    >"$T/in/persons.csv"
"$PLUMB" import --source org "$T/in/persons.csv" --db "$DB" --quiet --no-rules 2>"$T/err3" \
    >/dev/null || fail "zh import"
grep -qF "$T/in/persons.csv:2:name: 警告: repaired: name trimmed and de-padded: '赵　六' → '赵六'" \
    "$T/err3" || { cat "$T/err3"; fail "zh warning"; }
echo "repair: 1 passed, 0 failed"
