#!/usr/bin/env bash
# rules_profile_approval.sh — issue #15, defect 2 on the CLI (DESIGN.md §6
# last paragraph, docs/RULES.md "Profile changes"): `plumb profile set` needs
# --reason (exit 1, one line naming it, nothing recorded); --dry-run prints
# the impact and records nothing; a change of profile_approval_findings, or
# one resolving more findings than it, is a pending proposal: refused to its
# proposer (exit 1, four eyes), applied by another --actor; its resolutions
# carry the profile event as cause and the approver as actor. Expected counts
# by hand from examples/ at 2026-06-30: r01_top_years=40 resolves R01 of
# tenures T001 and T002 (top posts; docs/RULES.md R01) — 2 findings.
# On both engines (helpers/store_lib.sh). Env: PLUMB, PLUMB_SRC. Layer:
# tests/cli (rules).
set -euo pipefail
: "${PLUMB:?PLUMB must name the plumb binary}" "${PLUMB_SRC:?}"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
DB=$(store_new s) || exit 1
AS_OF=2026-06-30
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { store_sql "$DB" "$1"; }
"$P" init --db "$DB" >/dev/null
"$P" import --db "$DB" --all "$SRC/examples" >/dev/null
"$P" sweep --db "$DB" --as-of $AS_OF >/dev/null
[ "$(q "SELECT count(*) FROM findings WHERE rule='R01' AND status='open' AND key IN ('T001','T002')")" = 2 ] \
  || fail "fixture: R01 of T001 and T002 open"
n0=$(q "SELECT max(seq) FROM ledger_events")

set +e
"$P" profile set long --db "$DB" --as-of $AS_OF --param r01_top_years=40 --lang en 2>"$T/e1"; rc=$?
set -e
[ $rc -eq 1 ] && [ "$(wc -l <"$T/e1")" -eq 1 ] && grep -q -- "--reason" "$T/e1" || fail "no reason: rc=$rc $(cat "$T/e1")"

"$P" profile set long --db "$DB" --as-of $AS_OF --param r01_top_years=40 --reason "试点" \
  --actor alice --dry-run --lang en >"$T/o1"
grep -q "impact: 2 findings resolved" "$T/o1" || fail "dry run impact: $(cat "$T/o1")"
[ "$(q "SELECT max(seq) FROM ledger_events")" = "$n0" ] || fail "the dry run recorded something"

echo "== the threshold itself needs a second person"
"$P" profile set gate --db "$DB" --as-of $AS_OF --param profile_approval_findings=1 --reason "从严" \
  --actor alice --lang en >"$T/o2"
id=$(sed -n 's/^proposal pending approval: \(PP-[0-9a-f]*\).*/\1/p' "$T/o2")
[ -n "$id" ] || fail "no pending proposal: $(cat "$T/o2")"
set +e
"$P" profile approve "$id" --db "$DB" --actor alice --lang en 2>"$T/e2"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "four eyes" "$T/e2" || fail "self-approval: rc=$rc $(cat "$T/e2")"
"$P" profile approve "$id" --db "$DB" --actor bob --as-of $AS_OF --lang en >/dev/null
[ "$(q "SELECT status || ' ' || decided_by FROM rule_profile_proposals WHERE id='$id'")" = "applied bob" ] \
  || fail "proposal not applied by bob"

echo "== over the threshold: pending, then applied with its cause"
"$P" profile set long --db "$DB" --as-of $AS_OF --param r01_top_years=40 --reason "试点" \
  --actor alice --lang en >"$T/o3"
id=$(sed -n 's/^proposal pending approval: \(PP-[0-9a-f]*\).*/\1/p' "$T/o3")
[ -n "$id" ] || fail "2 > 1 should need approval: $(cat "$T/o3")"
[ "$(q "SELECT count(*) FROM findings WHERE rule='R01' AND status='open' AND key IN ('T001','T002')")" = 2 ] \
  || fail "findings resolved while pending"
"$P" profile proposals --db "$DB" --status pending --lang en | grep -q "$id" || fail "not listed as pending"
"$P" profile approve "$id" --db "$DB" --actor carol --as-of $AS_OF --lang en >"$T/o4"
grep -q "impact: 2 findings resolved" "$T/o4" || fail "approval impact: $(cat "$T/o4")"
pseq=$(q "SELECT seq FROM ledger_events WHERE type='profile.set' AND payload LIKE '%\"proposal\":\"$id\"%'")
[ -n "$pseq" ] || fail "no profile.set naming the proposal"
[ "$(q "SELECT count(*) FROM ledger_events WHERE type='finding.resolved' AND seq > $pseq
         AND header LIKE '%\"actor\":\"carol\"%'
         AND payload LIKE '%\"cause\":{\"profile\":\"long\",\"seq\":$pseq,\"type\":\"profile.set\"}%'")" = 2 ] \
  || fail "resolutions without the profile event as cause: $(q "SELECT header, payload FROM ledger_events WHERE seq > $pseq")"

echo "== reject"
"$P" profile set gate --db "$DB" --param profile_approval_findings=99 --reason "放宽" --actor alice --lang en >"$T/o5"
id=$(sed -n 's/^proposal pending approval: \(PP-[0-9a-f]*\).*/\1/p' "$T/o5")
set +e
"$P" profile reject "$id" --db "$DB" --actor bob --lang en 2>"$T/e3"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "reason" "$T/e3" || fail "reject without reason: rc=$rc"
"$P" profile reject "$id" --db "$DB" --actor bob --reason "不同意" >/dev/null
set +e
"$P" profile approve "$id" --db "$DB" --actor carol --lang en 2>"$T/e4"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q "not pending" "$T/e4" || fail "approve after reject: rc=$rc $(cat "$T/e4")"
"$P" verify --db "$DB" >/dev/null || fail "verify"
echo OK
