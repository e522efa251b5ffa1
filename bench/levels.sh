#!/usr/bin/env bash
# levels.sh — signed event bundles (docs/LEVELS.md §7), side by side in one
# run with the ledger's own batched append:
#   append  `plumb ledger-append-test --count N --batch 1000
#           --payload-bytes 200` into a county store (plain batched append);
#   export  `plumb bundle export` of those N events (each with its
#           inclusion proof against the witnessed checkpoint; the events
#           are test.tick, taken by the policy through the test hook
#           PLUMB_BUNDLE_EXTRA_TYPE, so the scan, proofs and signing are
#           the real ones);
#   verify  `plumb bundle verify` (signature, checkpoint, every proof);
#   import  `plumb bundle import` into a fresh prefecture store (verify +
#           N levels.received events in one transaction);
#   mirror  `plumb mirror` of the county's exported tiles (N entries);
#   same    the plain append again, with payloads of the size of the
#           levels.received events the import wrote;
#   cosign  COSIGN (default 100) times: one event appended (not timed),
#           then `plumb checkpoint push` to the witness timed whole — sign
#           the checkpoint, the consistency proof, the POST, the witness's
#           check and durable state write (fsync), the cosignature checked
#           and stored: the co-signing latency as the county sees it, p50
#           and p99.
# Rates are events/s, by wall clock and by the process's CPU time (user +
# sys: the machine is shared, and a CPU-bound step suffers from the load
# more than the fsync-bound append); target: import >= 1/2 of plain append.
#   PLUMB=build/plumb bash bench/levels.sh [N]
set -u
P=$(realpath "${PLUMB:-build/plumb}")
N=${1:-20000}
T=$(mktemp -d)
WPID=
trap '[ -n "$WPID" ] && kill $WPID 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 2
export PLUMB_LANG=en
# run NAME CMD...: wall and CPU (user + sys) seconds into W_NAME, C_NAME.
run() {
    local name=$1
    shift
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "time.$name" "$@" >"out.$name" 2>"err.$name" || {
        echo "$name failed: $(cat "err.$name")"
        exit 1
    }
    t1=$(date +%s.%N)
    eval "W_$name=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
    eval "C_$name=$(awk '{ printf "%.3f", $1 + $2 }' "time.$name")"
}
line() { # line LABEL NAME N
    local w c
    w=$(eval echo "\$W_$2")
    c=$(eval echo "\$C_$2")
    printf '%-44s %8.0f/s wall (%6.2f s) %8.0f/s CPU (%5.2f s)\n' "$1" \
        "$(awk -v n="$3" -v t="$w" 'BEGIN { print n / t }')" "$w" \
        "$(awk -v n="$3" -v t="$c" 'BEGIN { print (t > 0 ? n / t : 0) }')" "$c"
}

"$P" init --db c.db --origin bench.example/county >init.out || exit 1
LV=$(tail -n 1 init.out)
"$P" init --db p.db --origin bench.example/pref >/dev/null || exit 1
"$P" init --db a.db --origin bench.example/same >/dev/null || exit 1
"$P" keygen --name bench.example/witness --out w.key >/dev/null
WV=$("$P" witness vkey --key w.key)
echo "bench.example/county $LV" >logs.conf
cp logs.conf origins.conf
"$P" witness serve --state wst --key w.key --logs logs.conf --listen 127.0.0.1:0 --port-file wport 2>wlog &
WPID=$!
for _ in $(seq 1 300); do [ -s wport ] && break; sleep 0.02; done

run append "$P" ledger-append-test --db c.db --count "$N" --batch 1000 --payload-bytes 200
"$P" checkpoint push --db c.db --witness "$WV" --url "http://127.0.0.1:$(cat wport)" >/dev/null || exit 1
PLUMB_TEST_HOOKS=1 PLUMB_BUNDLE_EXTRA_TYPE=test.tick run export \
    "$P" bundle export --db c.db --witness-vkey "$WV" --out b
run verify "$P" bundle verify b --origins origins.conf --witness-vkey "$WV"
run import "$P" bundle import b --db p.db --origins origins.conf --witness-vkey "$WV"
# The same append with payloads the size of the levels.received ones.
PB=$(sqlite3 p.db "SELECT avg(length(payload)) FROM ledger_events WHERE type='levels.received'" |
    awk '{ printf "%d", $1 }')
run same "$P" ledger-append-test --db a.db --count "$N" --batch 1000 --payload-bytes "$PB"
"$P" export-tiles --db c.db tiles >/dev/null || exit 1
run mirror "$P" mirror --db p.db --origin bench.example/county --vkey "$LV" --witness-vkey "$WV" --url tiles

echo "store on: $(df -T "$T" | awk 'NR==2 {print $2}'); $N events; bundle $(stat -c %s b) bytes;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
line "plain batched append (batch 1000, 200 B)" append "$N"
line "plain batched append (batch 1000, $PB B)" same "$N"
line "bundle export" export "$N"
line "bundle verify" verify "$N"
line "bundle import (verify + record)" import "$N"
line "mirror (tiles -> mirror_entries)" mirror "$N"
K=${COSIGN:-100}
: >lat
for _ in $(seq 1 "$K"); do
    "$P" ledger-append-test --db c.db --count 1 >/dev/null || exit 1
    t0=$(date +%s%N)
    "$P" checkpoint push --db c.db --witness "$WV" --url "http://127.0.0.1:$(cat wport)" >/dev/null || exit 1
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000)) >>lat
done
sort -n lat | awk '{ a[NR] = $1 } END { i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++
    printf "witness co-signing (checkpoint push, %d pushes)  p50 %.1f ms  p99 %.1f ms  max %.1f ms\n",
        NR, a[int((NR + 1) / 2)] / 1000, a[i99] / 1000, a[NR] / 1000 }'
echo "import / append (200 B): wall $(awk -v a="$W_append" -v b="$W_import" 'BEGIN { printf "%.2f", a / b }')," \
    "CPU $(awk -v a="$C_append" -v b="$C_import" 'BEGIN { printf "%.2f", a / b }');" \
    "import / append ($PB B): wall $(awk -v a="$W_same" -v b="$W_import" 'BEGIN { printf "%.2f", a / b }')," \
    "CPU $(awk -v a="$C_same" -v b="$C_import" 'BEGIN { printf "%.2f", a / b }')"
