#!/bin/bash
# link_em_febrl.sh — weights fitted on held-out data (issue #19 item 3's
# follow-up; docs/LINKAGE.md "Weights fitted by EM"): bench/link_bench
# estimates the Fellegi–Sunter m and u by EM (Winkler 1988; Jaro 1989) on
# the candidate pairs of FEBRL dataset 1 alone (labels unused by EM; the
# cut is the F1-best one on dataset 1) and scores datasets 2 and 3, which
# it never saw. Expected (the target, not the code's output):
# held-out pairwise F1 >= 0.99 on datasets 2 and 3 with the fitted
# weights, and >= 0.99 with the hand table (the default) on all three.
# Layer: tests/cli (bench/link_bench.c, src/link).
set -u
: "${PLUMB:?}" "${PLUMB_SHARED:?}"
fail() { echo "FAIL: $*"; exit 1; }
BENCH=$(dirname "$PLUMB")/link_bench
[ -x "$BENCH" ] || fail "no $BENCH (built with the benches)"
D=$PLUMB_SHARED/data/febrl
[ -r "$D/dataset1.csv" ] || { echo "SKIP: no $D"; exit 0; }
out=$("$BENCH" --em-train "$D/dataset1.csv" --em-test "$D/dataset2.csv,$D/dataset3.csv") ||
    fail "bench: $out"
printf '%s\n' "$out" | grep -q "^EM (Winkler 1988, Jaro 1989) on the [0-9]* candidate pairs of FEBRL dataset1.csv" ||
    fail "no EM fit on dataset 1: $out"
# | set | role | counted at | P EM | R EM | F1 EM | P hand | R hand | F1 hand |
rows=$(printf '%s\n' "$out" | grep '^| FEBRL dataset')
printf '%s\n' "$rows"
n=$(printf '%s\n' "$rows" | awk -F'|' '$3 ~ /held out/ && $7+0 >= 0.99 { n++ } END { print n+0 }')
[ "$n" = 2 ] || fail "held-out F1 with the EM weights below 0.99 (want 2 sets, got $n)"
n=$(printf '%s\n' "$rows" | awk -F'|' '$10+0 >= 0.99 { n++ } END { print n+0 }')
[ "$n" = 3 ] || fail "F1 with the hand table below 0.99 (want 3 sets, got $n)"
echo OK
