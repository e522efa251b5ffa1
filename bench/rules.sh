#!/usr/bin/env bash
# bench/rules.sh — the rule engine benchmark (docs/BENCHMARKS.md "## Rules"):
# generate and import a scale (county | prefecture | province), then run
# bench/rules_bench on the store: full sweep with the C engine next to the
# plain-SQL reference in the same run (ratio), the cost of one incremental
# event, peak memory. With PROFILE=1 also a perf profile of the engine.
# usage: bench/rules.sh [SCALE] [SEED]   (build dir: $BUILD, default build)
set -euo pipefail
SCALE=${1:-prefecture}
SEED=${2:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
P=$BUILD/plumb
B=$BUILD/rules_bench
W=${WORK:-$(mktemp -d)}
echo "work dir $W"
if [ ! -f "$W/$SCALE.db" ]; then
  "$P" gen --scale "$SCALE" --seed "$SEED" --out "$W/$SCALE" >/dev/null
  "$P" init --db "$W/$SCALE.db" >/dev/null
  /usr/bin/time -f "import: %e s, %M KiB" "$P" import --all "$W/$SCALE" --db "$W/$SCALE.db" --quiet >/dev/null
fi
"$B" "$W/$SCALE.db" 2026-06-30 --events 2000 ${PER_RULE:+--per-rule}
"$P" rules check --db "$W/$SCALE.db" --as-of 2026-06-30 --truth "$W/$SCALE/truth.json" --lang en | tail -4
if [ "${PROFILE:-0}" = 1 ]; then
  perf record -F 999 -g -o "$W/rules.perf" "$B" "$W/$SCALE.db" 2026-06-30 --events 0 --skip-sql >/dev/null
  perf report -i "$W/rules.perf" --no-children --percent-limit 2 --stdio -g none | grep -v '^#' | grep -v '^$' | head -25
fi
