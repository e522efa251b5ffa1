#!/usr/bin/env bash
# io_fault.sh — an I/O error or a full disk at every write point of an
# import (issue #15, "At scale"; docs/RELIABILITY.md "I/O fault
# injection"). The shim build/libiofault.so (tests/fault/iofault.c,
# LD_PRELOAD) counts the write, pwrite, writev, fsync and fdatasync calls
# on the store's files (the database, its WAL and journal, the key and the
# rules snapshot) and fails the Nth: once with EIO, and from the Nth on
# with ENOSPC (a disk that stays full). For every N up to the run's count:
# no crash, a failed import says so in one line ("disk is full" or "I/O
# error"), nothing partial (0 or all rows, as many events), an import that
# exited 0 has every row, `verify` is clean, and the same import succeeds
# once the fault is gone.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SHIM=${PLUMB_IOFAULT:-$(dirname "$P")/libiofault.so}
export PLUMB_LANG=en
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$SHIM" ] || fail "no shim at $SHIM"
if ldd "$P" | grep -q libasan; then
    echo "skip: LD_PRELOAD shim and an ASan binary (run it on the plain build)"
    exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
ROWS=200
mkdir org
awk -v n=$ROWS 'BEGIN {
    split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", W, " "); C = "10X98765432"
    print "id,name,gender,birth_date,native_place"
    for (s = 1; s <= n; s++) {
        body = sprintf("43312719800101%03d", s); t = 0
        for (i = 1; i <= 17; i++) t += substr(body, i, 1) * W[i]
        printf "%s,张伟,M,1980-01-01,433127\n", body substr(C, t % 11 + 1, 1) } }' >org/persons.csv
"$P" init --db base.db >/dev/null || fail "init"
fresh() { rm -f s.db s.db-wal s.db-shm s.db.rules-snapshot; cp base.db s.db; cp base.db.key s.db.key; }
run() { # run N ERRNO STICKY: the import under the shim
    env LD_PRELOAD="$SHIM" IOFAULT_PATH="$T/s.db" IOFAULT_AT="$1" IOFAULT_ERRNO="$2" \
        IOFAULT_STICKY="$3" IOFAULT_COUNT="$T/count" \
        "$P" import --db s.db --source org org/persons.csv --quiet >out 2>err
}
fresh
run 0 EIO 0 || fail "the import without a fault: $(cat err)"
K=$(cat count)
[ "$K" -gt 10 ] || fail "only $K write points counted: is the shim loaded?"
[ "$(sqlite3 s.db 'SELECT count(*) FROM persons')" -eq $ROWS ] || fail "the import without a fault"
STEP=${IOFAULT_STEP:-1}
runs=0 failed=0 full=0 io=0 ok=0
for mode in "EIO 0" "ENOSPC 1"; do
    set -- $mode
    for n in $(seq 1 "$STEP" "$K"); do
        fresh
        run "$n" "$1" "$2"
        rc=$?
        runs=$((runs + 1))
        what="$1 at write $n of $K"
        [ "$rc" -lt 128 ] || fail "$what: crashed (exit $rc): $(cat err)"
        rows=$(sqlite3 s.db 'SELECT count(*) FROM persons') || fail "$what: the store does not open"
        evs=$(sqlite3 s.db 'SELECT count(*) FROM ledger_events')
        [ "$rows" -eq 0 ] || [ "$rows" -eq $ROWS ] || fail "$what: partial import: $rows rows"
        [ "$evs" -eq "$rows" ] || fail "$what: $evs events for $rows rows"
        if [ "$rc" -eq 0 ]; then
            ok=$((ok + 1))
            [ "$rows" -eq $ROWS ] || fail "$what: exit 0 but $rows rows"
        else
            failed=$((failed + 1))
            [ "$(wc -l <err)" -eq 1 ] || fail "$what: not one line: $(cat err)"
            if grep -q "disk is full" err; then
                full=$((full + 1))
                grep -q "nothing of it is stored" err || fail "$what: does not say what was not written: $(cat err)"
                [ "$rows" -eq 0 ] || fail "$what: says nothing stored, but $rows rows"
            elif grep -q "I/O error" err; then
                io=$((io + 1))
            else
                fail "$what: unclear error: $(cat err)"
            fi
            [ "$rc" -le 2 ] || fail "$what: exit $rc"
        fi
        v=$("$P" verify --db s.db 2>&1) || fail "$what: verify after the fault: $v"
    done
done
[ "$full" -gt 0 ] || fail "no run said the disk is full"
[ "$io" -gt 0 ] || fail "no run said I/O error"
# The line is in Chinese by default (PLUMB_LANG unset), English with en.
fresh
env -u PLUMB_LANG LANG=C.UTF-8 LD_PRELOAD="$SHIM" IOFAULT_PATH="$T/s.db" IOFAULT_AT=1 \
    IOFAULT_ERRNO=ENOSPC IOFAULT_STICKY=1 "$P" import --db s.db --source org org/persons.csv \
    --quiet >/dev/null 2>err.zh
grep -q "存储所在磁盘已满" err.zh || fail "the full-disk line is not in Chinese by default: $(cat err.zh)"
grep -q "未存入任何内容" err.zh || fail "the Chinese line does not say nothing was stored: $(cat err.zh)"
# Space is back: the same import goes through.
"$P" import --db s.db --source org org/persons.csv --quiet >/dev/null 2>err || fail "import after the fault: $(cat err)"
[ "$(sqlite3 s.db 'SELECT count(*) FROM persons')" -eq $ROWS ] || fail "import after the fault"
echo "ok: $runs faulted imports ($K write points, EIO once and ENOSPC from N on): $failed failed ($full 'disk is full', $io 'I/O error'), $ok after the commit exited 0 with every row; no partial import, verify clean each time"
