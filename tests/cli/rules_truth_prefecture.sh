#!/usr/bin/env bash
# rules_truth_prefecture.sh — prefecture scale: plumb gen → import → sweep;
# every planted case of truth.json found and nothing else, per rule,
# evidence included, and the C engine equal to the SQL reference (both
# printed as a table per rule). Env: PLUMB. Layer: tests/cli (rules).
set -euo pipefail
P=${PLUMB:?PLUMB must name the plumb binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
DB=$T/s.db
AS_OF=2026-06-30
"$P" gen --scale prefecture --seed 7 --out "$T/data" >/dev/null
"$P" init --db "$DB" >/dev/null
"$P" import --all "$T/data" --db "$DB" --quiet >/dev/null
"$P" sweep --db "$DB" --as-of $AS_OF --lang en
"$P" rules check --db "$DB" --as-of $AS_OF --truth "$T/data/truth.json" --lang en | tee "$T/c.txt"
grep -q "^engine = truth" "$T/c.txt" || { echo "FAIL: engine != truth" >&2; exit 1; }
grep -q "^engine = sql" "$T/c.txt" || { echo "FAIL: engine != sql" >&2; exit 1; }
echo OK
