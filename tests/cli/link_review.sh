#!/bin/bash
# link_review.sh — `plumb link run` and `plumb link review` (issue #19 item
# 3, docs/LINKAGE.md): six persons (tests/data/link: 张伟 and 張偉 with two
# valid ID numbers and one spouse in common, 李娜 twice with day and month
# swapped, two others). The expected scores are computed by hand from the
# weight table of docs/LINKAGE.md, not read from the code:
#   张伟/張偉: trad_simp 8.2288 + birth exact 12.1357 + two valid IDs
#     −15.0245 + division 2.1699 + same household 9.6439 = 17.1538 → 1715,
#     ≥ 15 bits: linked;
#   李娜/李娜: exact 10.8138 + swapped 7.6439 − 15.0245 + 2.1699 = 5.6031
#     → 560, between 4 and 15: review.
# Each judgement is a link.judged event; a pair judged not_same is not
# proposed again by the next run; bad input exits 1 with one line naming
# the field and leaves the ledger as it was; verify replays person_links.
# On both engines (helpers/store_lib.sh; cli.pg.link_review).
# Layer: tests/cli (src/link, src/cli/cmd_link.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export PLUMB_LANG=en
unset PLUMB_KEY
cd "$T" || exit 2
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
D=$PLUMB_SRC/tests/data/link
P=("$PLUMB")
DB=$(store_new t) || exit 1
"${P[@]}" init --db $DB >/dev/null 2>&1 || fail init
"${P[@]}" import --db $DB --source police "$D/persons.csv" "$D/kin.csv" --quiet --no-rules >/dev/null ||
    fail import
q() { store_sql "$DB" "$1"; }
A=433127198005121018 B=433127198005121034 L1=433127197503042027 L2=43312719750403204X

out=$("${P[@]}" link run --db $DB) || fail "link run: $out"
got=$(q "SELECT a, b, status, score_centibits FROM person_links ORDER BY a, b")
want="$L1|$L2|review|560
$A|$B|linked|1715"
[ "$got" = "$want" ] || fail "person_links after the first run:
$got
want:
$want"
# the explanation names the features
q "SELECT features FROM person_links WHERE a='$A'" | grep -q '"level":"trad_simp"' || fail "no trad_simp feature"
q "SELECT features FROM person_links WHERE a='$L1'" | grep -q '"feature":"birth_date","level":"swapped"' ||
    fail "no swapped birth date"

# the queue lists the review pair, both records side by side
list=$("${P[@]}" link review --db $DB --json) || fail "review list"
[ "$(printf '%s' "$list" | grep -c '"id": "')" = 2 ] || fail "queue should hold one pair: $list"
printf '%s' "$list" | grep -q "\"birth_date\": \"1975-04-03\"" || fail "record B not shown: $list"

n0=$(q "SELECT COUNT(*) FROM ledger_events")
# bad input: one line naming the field, exit 1, nothing written
err=$("${P[@]}" link review --db $DB $L1 $L2 maybe 2>&1 >/dev/null)
[ $? = 1 ] || fail "bad judgement should exit 1"
[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && printf '%s' "$err" | grep -q judgement || fail "message: $err"
err=$("${P[@]}" link review --db $DB $L1 433127199001013022 same 2>&1 >/dev/null)
[ $? = 1 ] || fail "unknown pair should exit 1"
printf '%s' "$err" | grep -q "no proposed link" || fail "unknown pair message: $err"
[ "$(q "SELECT COUNT(*) FROM ledger_events")" = "$n0" ] || fail "a refused judgement wrote to the ledger"

# not_same (either order of the two ids) is recorded and respected
"${P[@]}" link review --db $DB $L2 $L1 not_same --reason "两人: 户籍核实" --as officer1 >/dev/null ||
    fail "judge not_same"
[ "$(q "SELECT status, judged_by, reason FROM person_links WHERE a='$L1'")" = "not_same|officer1|两人: 户籍核实" ] ||
    fail "judgement not projected: $(q "SELECT * FROM person_links WHERE a='$L1'")"
[ "$(q "SELECT COUNT(*) FROM ledger_events WHERE type='link.judged'")" = 1 ] || fail "no link.judged event"
n1=$(q "SELECT COUNT(*) FROM ledger_events WHERE type='link.proposed'")
out=$("${P[@]}" link run --db $DB) || fail "second run: $out"
[ "$(q "SELECT COUNT(*) FROM ledger_events WHERE type='link.proposed'")" = "$n1" ] ||
    fail "the second run proposed again: $out"
[ "$(q "SELECT status FROM person_links WHERE a='$L1'")" = not_same ] || fail "not_same overwritten"
printf '%s' "$out" | grep -q "judged (skipped) 1" || fail "run output: $out"
# the queue is empty now
"${P[@]}" link review --db $DB | grep -q "the queue is empty" || fail "queue not empty"
# same on the linked pair is recorded too
"${P[@]}" link review --db $DB $A $B same >/dev/null || fail "judge same"
[ "$(q "SELECT status FROM person_links WHERE a='$A'")" = same ] || fail "same not recorded"
# replay reproduces the table
"${P[@]}" verify --db $DB >verify.out 2>&1 || fail "verify: $(cat verify.out)"
echo OK
