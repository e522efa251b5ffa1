#!/usr/bin/env bash
# ledger_fault.sh — a write failure (file size capped with `ulimit -f`, so
# write() fails with EFBIG and SQLite reports the disk full) must give a
# clear one-line error and lose nothing acknowledged.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
export PLUMB_LANG=en
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
"$P" init --db f.db --origin fault.example/log >/dev/null || { echo "FAIL: init"; exit 1; }
"$P" ledger-append-test --db f.db --count 50 --batch 5 >ack.0 || { echo "FAIL: append"; exit 1; }
size_kb=$(( $(stat -c %s f.db) / 1024 ))
limit=$((size_kb + 256))
# SIGXFSZ ignored so that the write returns EFBIG instead of killing us.
(trap '' XFSZ; ulimit -f "$limit"; exec "$P" ledger-append-test --db f.db --count 100000 \
    --batch 10 --payload-bytes 3000) >ack.1 2>err.1
rc=$?
err=$(cat err.1)
echo "capped writer: exit $rc: $err"
[ "$rc" -ne 0 ] || { echo "FAIL: the capped writer did not fail"; exit 1; }
[ "$rc" -lt 128 ] || { echo "FAIL: the capped writer crashed (exit $rc)"; exit 1; }
[ "$(wc -l <err.1)" -eq 1 ] || { echo "FAIL: error is not one line: $err"; exit 1; }
grep -Eqi "full|I/O|disk" err.1 || { echo "FAIL: error does not say what failed: $err"; exit 1; }
acked=$(cat ack.0 ack.1 | wc -l)
last=$(cat ack.0 ack.1 | sort -n | tail -1)
[ "$acked" -gt 50 ] || { echo "FAIL: nothing acknowledged before the cap ($acked)"; exit 1; }
out=$("$P" verify --db f.db 2>&1) || { echo "FAIL: verify after the fault: $out"; exit 1; }
n=$(sed -n 's/^ledger ok: \([0-9]*\) events.*/\1/p' <<<"$out")
[ -n "$n" ] && [ "$n" -gt "$last" ] || { echo "FAIL: acknowledged seq $last lost ($out)"; exit 1; }
# The store keeps working once space is back.
"$P" ledger-append-test --db f.db --count 3 >/dev/null || { echo "FAIL: append after the fault"; exit 1; }
"$P" verify --db f.db >/dev/null || { echo "FAIL: verify after recovery"; exit 1; }
echo "ok: $acked acknowledged before the fault, all present (log has $n events)"
