#!/usr/bin/env bash
# ledger_truncation.sh — local history truncation must not go unseen
# (DESIGN.md §4: "Each signed checkpoint is itself recorded in the log, so
# a store that lost its checkpoints or its tail is caught by verify, and by
# the witness above"; issue #15, defect 4). The first case is the probe's
# reproduction: delete the checkpoints, the events after some size and
# their nodes, rebuild — verify said "ledger ok".
# On both engines (helpers/store_lib.sh; cli.pg.ledger_truncation).
# Needs: $PLUMB, $PLUMB_SRC.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}" "${PLUMB_SRC:?}"
export PLUMB_LANG=en PLUMB_NOW=2026-01-01T00:00:00Z
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
. "$PLUMB_SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
BASE=$(store_new base) || exit 1
fails=0
die() { echo "FAIL: $*"; exit 1; }

# 30 events (seq 0-29); checkpoint #1 of size 30, recorded as event 30;
# 30 more (31-60); checkpoint #2 of size 61, recorded as event 61; 10 more.
"$P" init --db "$BASE" --origin county.example/trunc >/dev/null || die "init"
"$P" ledger-append-test --db "$BASE" --count 30 --batch 5 >/dev/null || die "append 1"
"$P" checkpoint --db "$BASE" >/dev/null || die "checkpoint 1"
FORK=$(store_copy "$BASE" fork) || die "copy fork"
"$P" ledger-append-test --db "$BASE" --count 30 --batch 5 >/dev/null || die "append 2"
"$P" checkpoint --db "$BASE" >/dev/null || die "checkpoint 2"
"$P" ledger-append-test --db "$BASE" --count 10 >/dev/null || die "append 3"
"$P" keygen --name witness.example/w --out w.key >w.out || die "keygen"
WKEY=$(tail -1 w.out | awk '{print $NF}')
"$P" cosign --db "$BASE" --key w.key --out w.cp >/dev/null || die "cosign"
grep -q '^61$' w.cp || die "the witness co-signed $(sed -n 2p w.cp), not size 61"
out=$("$P" verify --db "$BASE" --witness "$WKEY" --witness-checkpoint w.cp 2>&1) ||
    die "clean store does not verify: $out"
grep -q "ledger ok: 72 events (0 purged), 2 checkpoints (1 cosigned)" <<<"$out" ||
    die "unexpected clean report: $out"
[ "$(store_sql "$BASE" "SELECT seq FROM ledger_events WHERE type='ledger.checkpoint' ORDER BY seq" | paste -sd,)" = 30,61 ] ||
    die "checkpoints are not recorded as events 30 and 61"
echo "ok: clean: $out"

# truncate DB S — what the probe did: drop the checkpoints, the events from
# S on and every node that covers them, then rebuild the projections.
truncate() {
    store_sql "$1" "DELETE FROM ledger_checkpoints; DELETE FROM ledger_events WHERE seq >= $2;
                  DELETE FROM ledger_nodes WHERE (idx + 1) * (1 << CAST(level AS INTEGER)) > $2;" || die "sql"
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
T1=$(store_copy "$BASE" t1) && truncate "$T1" 50
check "truncated to 50, checkpoints deleted" \
    "ledger_checkpoints: the checkpoint of size 30 recorded by event 30 is missing" --db "$T1"

# 2. Only the checkpoint rows deleted.
T2=$(store_copy "$BASE" t2) && store_sql "$T2" "DELETE FROM ledger_checkpoints WHERE size = 61"
check "checkpoint row deleted" \
    "ledger_checkpoints: the checkpoint of size 61 recorded by event 61 is missing" --db "$T2"

# 3. A shorter log than a stored checkpoint (rows kept).
T3=$(store_copy "$BASE" t3) || die "copy t3"
store_sql "$T3" "DELETE FROM ledger_events WHERE seq >= 50; DELETE FROM ledger_nodes WHERE (idx + 1) * (1 << CAST(level AS INTEGER)) > 50;"
"$P" rebuild --db "$T3" >/dev/null 2>&1 || die "rebuild t3"
check "log shorter than a stored checkpoint" "checkpoint #2: size 61 is beyond the log size 50" --db "$T3"

# 4. Truncated below the first checkpoint: nothing local is left to tell
#    (docs/LEDGER.md); the witness's co-signed checkpoint tells.
T4=$(store_copy "$BASE" t4) && truncate "$T4" 20
"$P" verify --db "$T4" >/dev/null 2>&1 || die "t4 fails locally; update the documented limit"
check "truncated below every checkpoint, witness file" \
    "witness checkpoint w.cp (size 61) covers more than the log's 20 events: events 20..60 are missing" \
    --db "$T4" --witness "$WKEY" --witness-checkpoint w.cp
check "witness file without --witness: the log key still binds it" \
    "witness checkpoint w.cp (size 61) covers more than the log's 20 events" \
    --db "$T4" --witness-checkpoint w.cp

# 5. A fork: the witness co-signed another history of the same log.
"$P" ledger-append-test --db "$FORK" --count 40 --payload-bytes 7 >/dev/null || die "fork append"
"$P" checkpoint --db "$FORK" >/dev/null || die "fork checkpoint"
"$P" cosign --db "$FORK" --key w.key --out fork.cp >/dev/null || die "fork cosign"
check "witness checkpoint of a fork" "witness checkpoint fork.cp (size 71) does not match the log" \
    --db "$BASE" --witness "$WKEY" --witness-checkpoint fork.cp
# A witness file the witness did not sign, or not a checkpoint of this log.
KEYFILE=$(store_side "$BASE" key)
check "witness file not cosigned by the given witness" "witness checkpoint $KEYFILE" \
    --db "$BASE" --witness "$WKEY" --witness-checkpoint "$KEYFILE"
"$P" checkpoint --db "$BASE" --out own.cp >/dev/null || die "checkpoint 3"
check "witness file lacks the witness's signature" \
    "witness checkpoint own.cp: not signed by witness witness.example/w" \
    --db "$BASE" --witness "$WKEY" --witness-checkpoint own.cp

# 6. The subject key lost: never silently regenerated.
T6=$(store_copy "$BASE" t6) || die "copy t6"
store_sql "$T6" "DELETE FROM plumb_meta WHERE key='ledger_subject_key'"
check "subject key deleted" "plumb_meta ledger_subject_key is missing" --db "$T6"
out=$("$P" ledger-append-test --db "$T6" --count 1 2>&1) &&
    { echo "FAIL: an append made a new subject key: $out"; fails=$((fails + 1)); }
grep -qF "ledger_subject_key is missing" <<<"$out" ||
    { echo "FAIL: append message: $out"; fails=$((fails + 1)); }
[ "$(store_sql "$T6" "SELECT count(*) FROM plumb_meta WHERE key='ledger_subject_key'")" = 0 ] ||
    { echo "FAIL: a new subject key was made"; fails=$((fails + 1)); }
echo "ok: an append refuses to make a new subject key: $out"

# 7. The subject key replaced by another.
T7=$(store_copy "$BASE" t7) || die "copy t7"
store_sql "$T7" "UPDATE plumb_meta SET value='$(printf '%064d' 7)' WHERE key='ledger_subject_key'"
check "subject key replaced" \
    "plumb_meta ledger_subject_key is not the key the log was written with (checkpoint event 30" --db "$T7"

# 8. A checkpoint record cannot be purged.
out=$("$P" purge 30 --reason x --db "$BASE" 2>&1) &&
    { echo "FAIL: a checkpoint event was purged"; fails=$((fails + 1)); }
grep -qF "event 30 records checkpoint" <<<"$out" || { echo "FAIL: purge message: $out"; fails=$((fails + 1)); }

# 9. The same witness co-signing the same checkpoint twice stores one row
#    (verify refuses a note stored twice).
T9=$(store_copy "$BASE" t9) || die "copy t9"
"$P" checkpoint --db "$T9" --out again.cp >/dev/null || die "checkpoint for cosign"
"$P" cosign --db "$T9" --key w.key --checkpoint again.cp >/dev/null || die "cosign 1"
"$P" cosign --db "$T9" --key w.key --checkpoint again.cp >/dev/null || die "cosign 2"
n=$(store_sql "$T9" "SELECT count(*) FROM ledger_checkpoints WHERE size = $(sed -n 2p again.cp)")
[ "$n" = 1 ] || { echo "FAIL: cosigning twice stored $n rows"; fails=$((fails + 1)); }

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "PASS"
