#!/usr/bin/env bash
# bench/rules.sh — the rule engine benchmark (docs/BENCHMARKS.md "## Rules"):
# generate and import a scale (county | prefecture | province), then run
# bench/rules_bench on the store: full sweep with the C engine next to the
# plain-SQL reference in the same run (ratio), the cost of one incremental
# event, peak memory; the same sweep from the rules' snapshot (a derived file
# the bench writes beside the store and removes). With PROFILE=1 also perf
# profiles of the sweep from the projection tables and from the snapshot.
# usage: bench/rules.sh [SCALE] [SEED]   (build dir: $BUILD, default build)
# STORE=FILE: bench an existing store instead (e.g. a province store loaded
# directly into the projection tables, since a province import takes longer
# than the bench; the engine and the reference only read the projections).
set -euo pipefail
SCALE=${1:-prefecture}
SEED=${2:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
P=$BUILD/plumb
B=$BUILD/rules_bench
W=${WORK:-$(mktemp -d)}
echo "work dir $W"
DB=${STORE:-$W/$SCALE.db}
if [ ! -f "$DB" ]; then
  "$P" gen --scale "$SCALE" --seed "$SEED" --out "$W/$SCALE" >/dev/null
  "$P" init --db "$DB" >/dev/null
  /usr/bin/time -f "import: %e s, %M KiB" "$P" import --all "$W/$SCALE" --db "$DB" --quiet --no-rules >/dev/null
fi
# truth.json of the generated data (TRUTH=FILE with STORE=): the engine's
# findings are compared with it key by key (and evidence) in the bench.
TRUTH=${TRUTH:-$W/$SCALE/truth.json}
uptime
"$B" "$DB" 2026-06-30 --events 2000 ${PER_RULE:+--per-rule} \
  $([ -f "$TRUTH" ] && echo --truth "$TRUTH")
if [ "${PROFILE:-0}" = 1 ]; then
  # the sweep from the projection tables, then from the snapshot
  perf record -F 999 -g -o "$W/rules.perf" "$B" "$DB" 2026-06-30 --events 0 --skip-sql \
    --skip-snapshot >/dev/null
  perf report -i "$W/rules.perf" --no-children --percent-limit 1 --stdio -g none | grep -v '^#' | grep -v '^$' | head -25
  "$B" "$DB" 2026-06-30 --events 0 --skip-sql --keep-snapshot >/dev/null
  perf record -F 999 -g -o "$W/rules-snap.perf" "$B" "$DB" 2026-06-30 --events 0 --snapshot-only >/dev/null
  perf report -i "$W/rules-snap.perf" --no-children --percent-limit 1 --stdio -g none | grep -v '^#' | grep -v '^$' | head -25
  rm -f "$DB.rules-snapshot"
fi
