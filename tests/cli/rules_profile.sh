#!/usr/bin/env bash
# rules_profile.sh — plumb profile: invalid profiles rejected with the
# parameter's name and allowed range (exit 1, nothing recorded); a valid one
# recorded as a ledger event, listed, and resolved for a unit by the most
# specific match. On both engines (helpers/store_lib.sh; cli.pg.rules_profile).
# Env: PLUMB, PLUMB_SRC. Layer: tests/cli (rules).
set -euo pipefail
: "${PLUMB:?PLUMB must name the plumb binary}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
DB=$(store_new s) || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
"$P" init --db "$DB" >/dev/null

set +e
"$P" profile set bad --db "$DB" --param r01_top_yeers=8 2>"$T/e1"; rc1=$?
"$P" profile set bad --db "$DB" --param r01_top_years=99 2>"$T/e2"; rc2=$?
"$P" profile set bad --db "$DB" --level village --param r01_top_years=8 2>"$T/e3"; rc3=$?
"$P" profile set bad --db "$DB" --param r01_top_years=ten 2>"$T/e4"; rc4=$?
set -e
[ $rc1 -eq 1 ] && grep -q "r01_top_yeers" "$T/e1" || fail "unknown name: rc=$rc1 $(cat "$T/e1")"
[ $rc2 -eq 1 ] && grep -q "r01_top_years" "$T/e2" && grep -q "\[1, 40\]" "$T/e2" \
  || fail "out of range: rc=$rc2 $(cat "$T/e2")"
[ $rc3 -eq 1 ] && grep -q "village" "$T/e3" || fail "bad level: rc=$rc3"
[ $rc4 -eq 1 ] || fail "non-integer accepted"
"$P" profile list --db "$DB" | grep bad >/dev/null && fail "a rejected profile was recorded"

"$P" profile set 县级-财政 --db "$DB" --level county --industry finance --reason 县级财政从严 \
  --param r01_top_years=8 --param r01_warn_months=3 >/dev/null
"$P" profile set 永顺 --db "$DB" --region 433127 --param r01_top_years=12 --reason 试点 >/dev/null
"$P" profile list --db "$DB" | grep "县级-财政" >/dev/null || fail "profile not listed"
"$P" log --db "$DB" 2>/dev/null | grep "profile.set" >/dev/null || fail "no profile.set event in the ledger"
"$P" profile show --db "$DB" | grep '"r01_top_years": 10' >/dev/null || fail "defaults"
"$P" profile params | grep "r07_threshold_yuan" >/dev/null || fail "params list"
if "$P" profile show --db "$DB" --unit NOPE 2>/dev/null; then fail "unknown unit accepted"; fi
echo OK
