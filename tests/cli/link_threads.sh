#!/bin/bash
# link_threads.sh — the linkage on several threads gives what one thread
# gives (docs/LINKAGE.md "Threads"; issue #19 item 3's 10,000 × 10,000 in
# under 1 s on 2 cores): `link_bench --same-threads N` links each data set
# with pl_link_set_new_threads(…, 1) and (…, N) and prints "threads 1 = N
# on SET" only when the candidate count, the pairs, their order, their
# scores (bit for bit) and their features are the same; "threads 1 ≠ N"
# and exit 1 otherwise. Sets: the first 1,000 records of FEBRL datasets
# 1–3 (2 and 3 threads: an odd split too), and a generated county (seed 1:
# its persons with the person records, and the bench's 10,000 × 10,000
# built from its persons; 2 threads).
# Layer: tests/cli (src/link, bench/link_bench.c).
set -u
: "${PLUMB:?}" "${PLUMB_SHARED:?}"
fail() { echo "FAIL: $*"; exit 1; }
BENCH=$(dirname "$PLUMB")/link_bench
[ -x "$BENCH" ] || fail "no $BENCH (built with the benches)"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
D=$PLUMB_SHARED/data/febrl
if [ -r "$D/dataset1.csv" ]; then
    for n in 2 3; do
        out=$("$BENCH" --febrl "$D" --sample 1000 --same-threads $n 2>&1) ||
            fail "FEBRL, 1 against $n threads: $(printf '%s\n' "$out" | grep -E 'threads|link:')"
        k=$(printf '%s\n' "$out" | grep -c "^threads 1 = $n on dataset[123]\.csv: 1000 records")
        [ "$k" = 3 ] || fail "FEBRL, $n threads: expected 3 identical files, got $k: $out"
        printf '%s\n' "$out" | grep '^threads'
    done
else
    echo "(no $D: FEBRL skipped)"
fi
"$PLUMB" gen --scale county --seed 1 --out "$T/county" --quiet >/dev/null || fail "plumb gen"
out=$("$BENCH" --gen "$T/county" --same-threads 2 2>&1) ||
    fail "county, 1 against 2 threads: $(printf '%s\n' "$out" | grep -E 'threads|link:')"
printf '%s\n' "$out" | grep '^threads'
printf '%s\n' "$out" | grep -q "^threads 1 = 2 on 10,000 × 10,000: 20000 records" ||
    fail "10,000 × 10,000 not compared: $out"
printf '%s\n' "$out" | grep -q "^threads 1 = 2 on $T/county: " || fail "county not compared: $out"
# the sets are not trivial: pairs were found on each
printf '%s\n' "$out" | grep "^threads 1 = 2" | grep -q ", 0 pairs identical" &&
    fail "a set with no pairs proves nothing: $out"
echo OK
