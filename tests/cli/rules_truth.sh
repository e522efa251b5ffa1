#!/usr/bin/env bash
# rules_truth.sh — county scale, end to end: plumb gen → import → sweep, then
# every planted case of truth.json found and nothing else (recall 100%, zero
# false positives, per rule, evidence included), the C engine equal to the
# SQL reference on the same store, the incremental engine (events applied
# one by one through the ledger observer) equal to the sweep, and the
# finding commands (explain, ack, dismiss, resolve; status kept by a sweep).
# Env: PLUMB (binary). Layer: tests/cli (rules).
set -euo pipefail
P=${PLUMB:?PLUMB must name the plumb binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB=$T/s.db
AS_OF=2026-06-30
fail() { echo "FAIL: $*" >&2; exit 1; }

"$P" gen --scale county --seed 1 --out "$T/data" >/dev/null
grep -q "\"as_of\":\"$AS_OF\"" "$T/data/manifest.json" || fail "manifest as_of is not $AS_OF"
"$P" init --db "$DB" >/dev/null
"$P" import --all "$T/data" --db "$DB" --quiet >/dev/null
"$P" sweep --db "$DB" --as-of $AS_OF --lang en

echo "== engine vs SQL reference vs truth.json (per rule)"
"$P" rules check --db "$DB" --as-of $AS_OF --truth "$T/data/truth.json" --lang en | tee "$T/check.txt" \
  || fail "rules check differs"
grep -q "^engine = sql" "$T/check.txt" || fail "engine != sql"
grep -q "^engine = truth" "$T/check.txt" || fail "engine != truth"

echo "== recorded findings (after the sweep) vs truth.json"
n_truth=$(jq '.findings | length' "$T/data/truth.json")
n_open=$("$P" findings --db "$DB" --json | grep -c '"rule"')
[ "$n_truth" -eq "$n_open" ] || fail "recorded findings $n_open, truth $n_truth"

echo "== incremental (event by event) vs sweep vs truth"
"$P" rules replay-check --db "$DB" --as-of $AS_OF --truth "$T/data/truth.json" --lang en | tee "$T/replay.txt" \
  || fail "incremental differs"
grep -q "^incremental = sweep" "$T/replay.txt" || fail "incremental != sweep"

echo "== finding commands"
id=$("$P" findings --db "$DB" --rule R01 --json | grep -o '"id": "R01-[0-9a-f]*"' | sed -n 1p | cut -d'"' -f4)
[ -n "$id" ] || fail "no R01 finding"
"$P" explain "$id" --db "$DB" --lang en | grep "rotation is due after" >/dev/null || fail "explain lacks the explanation"
"$P" finding ack "$id" --db "$DB" >/dev/null
if "$P" finding dismiss "$id" --db "$DB" 2>"$T/err"; then fail "dismiss without reason accepted"; fi
grep -q "reason" "$T/err" || fail "dismiss error does not ask for a reason"
"$P" finding dismiss "$id" --db "$DB" --reason "已按程序报批延期轮岗" >/dev/null
"$P" sweep --db "$DB" --as-of $AS_OF --lang en | grep "0 raised, 0 updated, 0 resolved" >/dev/null \
  || fail "second sweep changed findings"
"$P" findings --db "$DB" --status dismissed --json | grep "$id" >/dev/null || fail "dismissal lost"
if "$P" explain R01-000000000000 --db "$DB" 2>/dev/null; then fail "unknown finding explained"; fi
"$P" risk --db "$DB" --as-of $AS_OF --top 3 >/dev/null
"$P" warnings --db "$DB" >/dev/null
"$P" tasks --db "$DB" >/dev/null
"$P" verify --db "$DB" >/dev/null || fail "verify (replay of finding events) failed"
echo "OK"
