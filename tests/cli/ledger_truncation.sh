#!/usr/bin/env bash
# ledger_truncation.sh — local history truncation must not go unseen
# (DESIGN.md §4: "Each signed checkpoint is itself recorded in the log, so
# a store that lost its checkpoints or its tail is caught by verify, and by
# the witness above"; issue #15, defect 4). The first case is the probe's
# reproduction: delete the checkpoints, the events after some size and
# their nodes, rebuild — verify said "ledger ok".
# Needs: $PLUMB, sqlite3.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
export PLUMB_LANG=en PLUMB_NOW=2026-01-01T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
fails=0
die() { echo "FAIL: $*"; exit 1; }

# 30 events (seq 0-29); checkpoint #1 of size 30, recorded as event 30;
# 30 more (31-60); checkpoint #2 of size 61, recorded as event 61; 10 more.
"$P" init --db base.db --origin county.example/trunc >/dev/null || die "init"
"$P" ledger-append-test --db base.db --count 30 --batch 5 >/dev/null || die "append 1"
"$P" checkpoint --db base.db >/dev/null || die "checkpoint 1"
cp base.db fork.db && cp base.db.key fork.db.key
"$P" ledger-append-test --db base.db --count 30 --batch 5 >/dev/null || die "append 2"
"$P" checkpoint --db base.db >/dev/null || die "checkpoint 2"
"$P" ledger-append-test --db base.db --count 10 >/dev/null || die "append 3"
"$P" keygen --name witness.example/w --out w.key >w.out || die "keygen"
WKEY=$(tail -1 w.out | awk '{print $NF}')
"$P" cosign --db base.db --key w.key --out w.cp >/dev/null || die "cosign"
grep -q '^61$' w.cp || die "the witness co-signed $(sed -n 2p w.cp), not size 61"
out=$("$P" verify --db base.db --witness "$WKEY" --witness-checkpoint w.cp 2>&1) ||
    die "clean store does not verify: $out"
grep -q "ledger ok: 72 events (0 purged), 2 checkpoints (1 cosigned)" <<<"$out" ||
    die "unexpected clean report: $out"
[ "$(sqlite3 base.db "SELECT group_concat(seq) FROM ledger_events WHERE type='ledger.checkpoint'")" = 30,61 ] ||
    die "checkpoints are not recorded as events 30 and 61"
echo "ok: clean: $out"

# truncate DB S — what the probe did: drop the checkpoints, the events from
# S on and every node that covers them, then rebuild the projections.
truncate() {
    sqlite3 "$1" "DELETE FROM ledger_checkpoints; DELETE FROM ledger_events WHERE seq >= $2;
                  DELETE FROM ledger_nodes WHERE (idx + 1) * (1 << level) > $2;" || die "sqlite3"
    "$P" rebuild --db "$1" >/dev/null 2>&1 || die "rebuild of $1"
}
# check NAME WANT ARGS... — verify must exit 1 with one line containing WANT.
check() {
    local name=$1 want=$2 out rc
    shift 2
    out=$("$P" verify "$@" 2>&1)
    rc=$?
    if [ "$rc" -ne 1 ]; then
        echo "FAIL: $name: verify exited $rc (want 1): $out"; fails=$((fails + 1)); return
    fi
    if [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then
        echo "FAIL: $name: message is not one line: $out"; fails=$((fails + 1)); return
    fi
    if ! grep -qF -- "$want" <<<"$out"; then
        echo "FAIL: $name: message lacks '$want': $out"; fails=$((fails + 1)); return
    fi
    echo "ok: $name: $out"
}

# 1. The reproduction: truncated to 50 events; the checkpoint event 30 survives.
cp base.db t1.db && truncate t1.db 50
check "truncated to 50, checkpoints deleted" \
    "ledger_checkpoints: the checkpoint of size 30 recorded by event 30 is missing" --db t1.db

# 2. Only the checkpoint rows deleted.
cp base.db t2.db && sqlite3 t2.db "DELETE FROM ledger_checkpoints WHERE size = 61"
check "checkpoint row deleted" \
    "ledger_checkpoints: the checkpoint of size 61 recorded by event 61 is missing" --db t2.db

# 3. A shorter log than a stored checkpoint (rows kept).
cp base.db t3.db
sqlite3 t3.db "DELETE FROM ledger_events WHERE seq >= 50; DELETE FROM ledger_nodes WHERE (idx + 1) * (1 << level) > 50;"
"$P" rebuild --db t3.db >/dev/null 2>&1 || die "rebuild t3"
check "log shorter than a stored checkpoint" "checkpoint #2: size 61 is beyond the log size 50" --db t3.db

# 4. Truncated below the first checkpoint: nothing local is left to tell
#    (docs/LEDGER.md); the witness's co-signed checkpoint tells.
cp base.db t4.db && truncate t4.db 20
"$P" verify --db t4.db >/dev/null 2>&1 || die "t4 fails locally; update the documented limit"
check "truncated below every checkpoint, witness file" \
    "witness checkpoint w.cp (size 61) covers more than the log's 20 events: events 20..60 are missing" \
    --db t4.db --witness "$WKEY" --witness-checkpoint w.cp
check "witness file without --witness: the log key still binds it" \
    "witness checkpoint w.cp (size 61) covers more than the log's 20 events" \
    --db t4.db --witness-checkpoint w.cp

# 5. A fork: the witness co-signed another history of the same log.
"$P" ledger-append-test --db fork.db --count 40 --payload-bytes 7 >/dev/null || die "fork append"
"$P" checkpoint --db fork.db >/dev/null || die "fork checkpoint"
"$P" cosign --db fork.db --key w.key --out fork.cp >/dev/null || die "fork cosign"
check "witness checkpoint of a fork" "witness checkpoint fork.cp (size 71) does not match the log" \
    --db base.db --witness "$WKEY" --witness-checkpoint fork.cp
# A witness file the witness did not sign, or not a checkpoint of this log.
check "witness file not cosigned by the given witness" "witness checkpoint base.db.key" \
    --db base.db --witness "$WKEY" --witness-checkpoint base.db.key
"$P" checkpoint --db base.db --out own.cp >/dev/null || die "checkpoint 3"
check "witness file lacks the witness's signature" \
    "witness checkpoint own.cp: not signed by witness witness.example/w" \
    --db base.db --witness "$WKEY" --witness-checkpoint own.cp

# 6. The subject key lost: never silently regenerated.
cp base.db t6.db && cp base.db.key t6.db.key
sqlite3 t6.db "DELETE FROM plumb_meta WHERE key='ledger_subject_key'"
check "subject key deleted" "plumb_meta ledger_subject_key is missing" --db t6.db
out=$("$P" ledger-append-test --db t6.db --count 1 2>&1) &&
    { echo "FAIL: an append made a new subject key: $out"; fails=$((fails + 1)); }
grep -qF "ledger_subject_key is missing" <<<"$out" ||
    { echo "FAIL: append message: $out"; fails=$((fails + 1)); }
[ "$(sqlite3 t6.db "SELECT count(*) FROM plumb_meta WHERE key='ledger_subject_key'")" = 0 ] ||
    { echo "FAIL: a new subject key was made"; fails=$((fails + 1)); }
echo "ok: an append refuses to make a new subject key: $out"

# 7. The subject key replaced by another.
cp base.db t7.db
sqlite3 t7.db "UPDATE plumb_meta SET value='$(printf '%064d' 7)' WHERE key='ledger_subject_key'"
check "subject key replaced" \
    "plumb_meta ledger_subject_key is not the key the log was written with (checkpoint event 30" --db t7.db

# 8. A checkpoint record cannot be purged.
out=$("$P" purge 30 --reason x --db base.db 2>&1) &&
    { echo "FAIL: a checkpoint event was purged"; fails=$((fails + 1)); }
grep -qF "event 30 records checkpoint" <<<"$out" || { echo "FAIL: purge message: $out"; fails=$((fails + 1)); }

# 9. The same witness co-signing the same checkpoint twice stores one row
#    (verify refuses a note stored twice).
cp base.db t9.db && cp base.db.key t9.db.key
"$P" checkpoint --db t9.db --out again.cp >/dev/null || die "checkpoint for cosign"
"$P" cosign --db t9.db --key w.key --checkpoint again.cp >/dev/null || die "cosign 1"
"$P" cosign --db t9.db --key w.key --checkpoint again.cp >/dev/null || die "cosign 2"
n=$(sqlite3 t9.db "SELECT count(*) FROM ledger_checkpoints WHERE size = $(sed -n 2p again.cp)")
[ "$n" = 1 ] || { echo "FAIL: cosigning twice stored $n rows"; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "PASS"
