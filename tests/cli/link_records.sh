#!/bin/bash
# link_records.sh — person records without a reliable ID (issue #19 items
# 3-4; docs/LINKAGE.md "Records without a reliable ID", docs/IMPORT.md
# "person_records"): the import names every bad cell and writes nothing;
# `plumb link run` links records to persons with the ID typo and household
# features; R04 goes through a linked record's own company role.
# tests/data/link/rec: 张三 (S, 433127197001010113) heads 永顺县财政局 (UA);
# his spouse 李四 (K, 43312719720202022X, police register). The market
# register's shareholder row REC1 of 永顺建材有限公司 (paid by UA in 2025):
# 李四, 1972-02-02, ID as written 43312719720202032X (one digit wrong: its
# check digit fails). The police register's household rows: HR1 (李四, the
# same birth date, K's ID exactly, 户号 H001 — which places K in H001) and
# HR2 (李四, no birth date, no ID, H001).
# Expected by hand from docs/LINKAGE.md "Weights" (log2(m/u), hundredths):
#   K–REC1: name exact 10.81378 + birth exact 12.13571 + ID one_digit
#           log2(0.05/0.0001) = 8.96578 → 31.91527 → 3192, linked (≥ 15)
#   K–HR1:  10.81378 + 12.13571 + ID exact log2(0.9/1e-5) = 16.45943 +
#           household log2(0.8/0.001) = 9.64386 → 49.05278 → 4905, linked
#   K–HR2:  10.81378 + 9.64386 → 20.45764 → 2046, linked
# R04 of S then cites payments:PAY1, the record person_records:REC1 (its
# role), kin:KIN1 and the link person_links:K|person_records:REC1; engine =
# SQL, incremental = sweep; verify and rebuild replay person_records;
# "not_same" resolves the finding.
# On both engines (helpers/store_lib.sh; cli.pg.link_records).
# Layer: tests/cli (src/model person_record, src/link/store.c, R04).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=en PLUMB_NOW=2026-03-02T00:00:00Z
unset PLUMB_KEY
cd "$T" || exit 2
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
DB=$(store_new t) || exit 1
K=43312719720202022X
"$P" init --db $DB >/dev/null 2>&1 || fail init
"$P" import --db $DB --all "$PLUMB_SRC/tests/data/link/rec" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
    fail "import: $(cat imp.out)"
[ "$(store_sql "$DB" "SELECT id, id_as_written, household FROM person_records ORDER BY id")" = "HR1|$K|H001
HR2||H001
REC1|43312719720202032X|" ] || fail "person_records: $(store_sql "$DB" "SELECT * FROM person_records")"

# --- bad rows: every bad cell named file:line:field, nothing written
mkdir -p bad/market
cp "$PLUMB_SRC/tests/data/link/rec/market/companies.csv" bad/market/
cat >bad/market/person_records.csv <<'CSV'
id,source,name,gender,birth_date,id_as_written,division_code,household,company_id,role,share_bp,start_date,end_date
B1,market,王五,M,1980-02-30,,,,,,,,
B2,market,王五,M,1980-02-03,4331271980020303AB,,,,,,,
B3,register,王五,M,,,,,,,,,
B4,market,王五,M,,,,,914331270000000196,,,2020-01-01,
B5,market,王五,M,,,,,,shareholder,,,
B6,market,王五,M,,,,,914331270000000196,shareholder,,2020-01-01,2019-01-01
B7,market,王五,M,,,999999,,,,,,
B8,market,王五,M,,,,H 1,,,,,
B9,market,王五,M,,,,,914331270000000196,shareholder,,,
B10,market,,M,,,,,,,,,
B11,market,王五,M,,1234567890123456789,,,,,,,
B12,market,王五,M,,１２３ｘ,,,,,,,
CSV
before=$(store_sql "$DB" "SELECT COUNT(*) FROM ledger_events")
if "$P" import --db $DB --all bad >bad.out 2>&1; then fail "bad rows accepted: $(cat bad.out)"; fi
grep -o '^bad/market/person_records.csv:[0-9]*:[a-z_]*' bad.out >got.txt
cat >want.txt <<'W'
bad/market/person_records.csv:2:birth_date
bad/market/person_records.csv:3:id_as_written
bad/market/person_records.csv:4:source
bad/market/person_records.csv:5:role
bad/market/person_records.csv:6:company_id
bad/market/person_records.csv:7:end_date
bad/market/person_records.csv:8:division_code
bad/market/person_records.csv:9:household
bad/market/person_records.csv:10:start_date
bad/market/person_records.csv:11:name
bad/market/person_records.csv:12:id_as_written
bad/market/person_records.csv:13:id_as_written
bad/market/person_records.csv:13:id_as_written
W
diff want.txt got.txt >/dev/null || fail "bad cells: $(diff want.txt got.txt)
$(cat bad.out)"
grep -q "^bad/market/person_records.csv:13:id_as_written: warning: repaired: full-width" bad.out ||
    fail "no NFKC warning for the full-width ID as written: $(cat bad.out)"
[ "$(store_sql "$DB" "SELECT COUNT(*) FROM ledger_events")" = "$before" ] || fail "a rejected import wrote events"

# --- linkage
"$P" link run --db $DB >run.out 2>&1 || fail "link run: $(cat run.out)"
grep -q "persons 2, records 3," run.out || fail "run: $(cat run.out)"
[ "$(store_sql "$DB" "SELECT a, b, status, score_centibits FROM person_links ORDER BY b")" = "$K|person_records:HR1|linked|4905
$K|person_records:HR2|linked|2046
$K|person_records:REC1|linked|3192" ] || fail "links: $(store_sql "$DB" "SELECT a, b, status, score_centibits, features FROM person_links")"
store_sql "$DB" "SELECT features FROM person_links WHERE b='person_records:REC1'" | grep -q '"feature":"id_number","level":"one_digit"' ||
    fail "REC1's ID is not one_digit"
store_sql "$DB" "SELECT features FROM person_links WHERE b='person_records:HR2'" | grep -q '"feature":"household","level":"exact"' ||
    fail "HR2 has no household feature"
"$P" link review --db $DB --status linked >queue.txt 2>&1 || fail "review list"
grep -q "ID as written 43312719720202032X  永顺建材有限公司 shareholder" queue.txt || fail "queue: $(cat queue.txt)"

# --- R04 through the record
r04() { store_sql "$DB" "SELECT status, evidence FROM findings WHERE rule='R04' ORDER BY id"; }
want="open|[\"kin:KIN1\",\"payments:PAY1\",\"person_links:$K|person_records:REC1\",\"person_records:REC1\"]"
[ "$(r04)" = "$want" ] || fail "R04: $(r04)
want: $want"
"$P" rules check --db $DB --as-of 2026-03-02 --rule R04 >check.out 2>&1 || fail "engine differs from SQL: $(tail -20 check.out)"
grep -q "engine = sql (1 findings" check.out || fail "R04 check: $(tail -3 check.out)"
"$P" rules replay-check --db $DB --as-of 2026-03-02 >replay.out 2>&1 ||
    fail "incremental differs from a sweep: $(tail -20 replay.out)"
"$P" verify --db $DB >verify.out 2>&1 || fail "verify: $(cat verify.out)"
"$P" rebuild --db $DB >/dev/null 2>&1 || fail rebuild
"$P" verify --db $DB >verify.out 2>&1 || fail "verify after rebuild: $(cat verify.out)"
# the record's role ended before the payment: the finding is resolved by
# the record's own event (engine.c re-checks the persons linked to it)
printf 'id,source,name,gender,birth_date,id_as_written,division_code,household,company_id,role,share_bp,start_date,end_date\nREC1,market,李四,F,1972-02-02,43312719720202032X,,,914331270000000196,shareholder,6000,2016-05-05,2025-01-01\n' >person_records.csv
"$P" import --db $DB --source market person_records.csv --quiet >ended.out 2>&1 || fail "re-import REC1: $(cat ended.out)"
[ "$(r04 | cut -d'|' -f1)" = resolved ] || fail "after the role ended: $(r04)"
"$P" rules check --db $DB --as-of 2026-03-02 --rule R04 >check.out 2>&1 || fail "after end: engine differs from SQL: $(tail -20 check.out)"
echo OK
