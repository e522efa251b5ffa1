#!/bin/bash
# link_febrl.sh — the person linkage's quality on a bounded FEBRL sample
# (issue #19 item 3; the full figure is bench/link_bench in
# docs/BENCHMARKS.md "Linkage"): the first 1,000 records of each of FEBRL
# datasets 1–3 (../shared/data/febrl), linked with the default thresholds;
# pairwise F1 of the auto links against the published truth (rec-N-org and
# rec-N-dup-K with the same N are one person; link_bench reads N from the
# rec_id, never from the linkage) must be at least 0.99 on each file.
# Layer: tests/cli (src/link, bench/link_bench.c).
set -u
: "${PLUMB:?}" "${PLUMB_SHARED:?}"
fail() { echo "FAIL: $*"; exit 1; }
BENCH=$(dirname "$PLUMB")/link_bench
[ -x "$BENCH" ] || fail "no $BENCH (built with the benches)"
D=$PLUMB_SHARED/data/febrl
[ -r "$D/dataset1.csv" ] || { echo "SKIP: no $D"; exit 0; }
out=$("$BENCH" --febrl "$D" --sample 1000 --check 0.99) || fail "F1 below 0.99 (or error): $out"
echo "$out"
# three rows, each with an F1 (9th column) printed
n=$(printf '%s\n' "$out" | awk -F'|' '/^\| dataset[123]\.csv/ && $10+0 >= 0.99 { n++ } END { print n+0 }')
[ "$n" = 3 ] || fail "expected 3 files with F1 >= 0.99, got $n"
echo OK
