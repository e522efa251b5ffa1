#!/usr/bin/env bash
# ledger_crash.sh — kill -9 a writer at random points (>= 50 times); after
# each restart every acknowledged seq must be in the log and verify clean.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
export PLUMB_LANG=en
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
KILLS=${KILLS:-55}
"$P" init --db c.db --origin crash.example/log >/dev/null || { echo "FAIL: init"; exit 1; }
start=$SECONDS  # for the report only: tests never assert on wall-clock time
maxack=-1
extra=0
for i in $(seq 1 "$KILLS"); do
    batch=$((RANDOM % 20 + 1))
    "$P" ledger-append-test --db c.db --count 1000000 --batch "$batch" >"ack.$i" 2>"err.$i" &
    pid=$!
    # 5..150 ms, then SIGKILL wherever it is (mid-transaction, mid-fsync...).
    # Slow builds (sanitizers) start later: lengthen the window while
    # nothing has been acknowledged yet.
    [ "$maxack" -lt 0 ] && extra=$((extra + 60)) || extra=0
    ms=$((RANDOM % 146 + 5 + extra)); [ "$ms" -gt 999 ] && ms=999
    sleep "0.$(printf '%03d' "$ms")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    last=$(tail -n 1 "ack.$i")
    [ -n "$last" ] && [ "$last" -gt "$maxack" ] && maxack=$last
    if [ $((i % 5)) -eq 0 ] || [ "$i" -eq "$KILLS" ]; then rep=""; else rep="--no-replay"; fi
    out=$("$P" verify --db c.db $rep 2>&1) || { echo "FAIL: kill $i: verify: $out"; exit 1; }
    n=$(sed -n 's/^ledger ok: \([0-9]*\) events.*/\1/p' <<<"$out")
    if [ -z "$n" ] || [ "$n" -le "$maxack" ]; then
        echo "FAIL: kill $i: acknowledged seq $maxack lost (log has ${n:-?} events)"; exit 1
    fi
    # Acknowledged seqs are contiguous and each one was printed once.
    if [ "$(cat ack.* | sort -n | uniq -d | wc -l)" -ne 0 ]; then
        echo "FAIL: kill $i: a seq was acknowledged twice"; exit 1
    fi
done
[ "$maxack" -ge 0 ] || { echo "FAIL: no append was ever acknowledged"; exit 1; }
"$P" checkpoint --db c.db >/dev/null || { echo "FAIL: checkpoint after crashes"; exit 1; }
"$P" verify --db c.db >/dev/null || { echo "FAIL: final verify"; exit 1; }
echo "ok: $KILLS kills in $((SECONDS - start)) s, $((maxack + 1)) acknowledged, log has $n events"
