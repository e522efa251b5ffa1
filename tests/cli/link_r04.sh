#!/bin/bash
# link_r04.sh — links feed the rules (issue #19 item 3): a kin-linked
# company found through a linked shareholder is an R04 finding with the
# link as evidence (docs/RULES.md R04, docs/LINKAGE.md "Links in the
# rules"). tests/data/link/r04: 张三 (S) heads 永顺县财政局 (UA); his spouse
# 李四 (K, police register) and a market-register shareholder 李四 (X: same
# name and birth date, another valid ID) of 永顺建材有限公司, which UA paid
# in 2025. Expected by hand: K and X score log2(0.9/0.0005) + log2(0.9/0.0002)
# + log2(0.00003/0.9999) = 10.81378 + 12.13571 − 15.02453 = 7.92496 bits → 792
# (no division: review); before a judgement there is no R04
# finding (X is nobody's kin); after "same" the finding is raised at once
# (the judgement's event re-checks R04) with evidence payments:PAY1,
# company_roles:CR1, kin:KIN1 and person_links:K|X; the C engine equals
# the SQL reference, the incremental engine equals a sweep; "not_same"
# resolves it again.
# On both engines (helpers/store_lib.sh; cli.pg.link_r04).
# Layer: tests/cli (src/rules/eval.c R04, src/rules/sql/R04.sql, src/link).
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
K=43312719720202022X X=433127197202020246
"$P" init --db $DB >/dev/null 2>&1 || fail init
"$P" import --db $DB --all "$PLUMB_SRC/tests/data/link/r04" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
    fail "import: $(cat imp.out)"
r04() { store_sql "$DB" "SELECT status, evidence FROM findings WHERE rule='R04' ORDER BY id"; }
check() {
    "$P" rules check --db $DB --as-of 2026-03-02 --rule R04 >check.out 2>&1 ||
        fail "$1: engine differs from SQL: $(tail -20 check.out)"
    grep -q "engine = sql ($2 findings" check.out || fail "$1: expected $2 R04 findings: $(tail -3 check.out)"
}
[ -z "$(r04)" ] || fail "R04 before any link: $(r04)"
"$P" link run --db $DB >run.out 2>&1 || fail "link run: $(cat run.out)"
[ "$(store_sql "$DB" "SELECT a, b, status, score_centibits FROM person_links")" = "$K|$X|review|792" ] ||
    fail "the pair: $(store_sql "$DB" "SELECT * FROM person_links")"
[ -z "$(r04)" ] || fail "R04 from a pair still in review: $(r04)"
check "in review" 0
"$P" link review --db $DB $K $X same >/dev/null 2>&1 || fail "judge same"
want="open|[\"company_roles:CR1\",\"kin:KIN1\",\"payments:PAY1\",\"person_links:$K|$X\"]"
[ "$(r04)" = "$want" ] || fail "after same: $(r04)
want: $want"
check "after same" 1
"$P" rules replay-check --db $DB --as-of 2026-03-02 >replay.out 2>&1 ||
    fail "incremental differs from a sweep: $(tail -20 replay.out)"
"$P" link review --db $DB $K $X not_same >/dev/null 2>&1 || fail "judge not_same"
[ "$(r04 | cut -d'|' -f1)" = resolved ] || fail "after not_same: $(r04)"
check "after not_same" 0
echo OK
