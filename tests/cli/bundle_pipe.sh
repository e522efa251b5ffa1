#!/usr/bin/env bash
# bundle_pipe.sh — `bundle import` on two threads (docs/LEVELS.md §7
# "Import on two threads"): one checks the event lines and makes the
# levels.received payloads up to 2,048 events ahead while the other
# writes them. A bundle of 3,000 events whose last event is bad is refused
# whole — after the writer has written the events before it — with the
# message the single-threaded import (PLUMB_BUNDLE_THREADS=1) gives,
# which is the message of the table in docs/LEVELS.md §7, and the store is
# unchanged: v1 with the last event's proof changed (one bit of its
# topmost hash), v2 with the last event's header changed (the multi-proof
# no longer verifies: checked after the last line) and with a character
# outside base64 in the last payload. A bundle that starts after what the
# store has received (a gap, the writer's first check) and has a bad last
# proof is refused for the proof, as on one thread: every check of the
# bundle comes before the store's. The honest bundle imported both ways
# gives the same ledger payloads, headers (time aside) and levels_received.
# Expected texts and seqs come from the documented format and the bundle
# file itself (tests/cli/helpers/bundle_tamper.mjs), not from the code.
# On both engines (helpers/store_lib.sh, through helpers/levels_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/cli/helpers/levels_lib.sh"
levels_bundle_test '*' 3000 1000
levels_export --format v1 --out b1 || fail "export v1"
levels_export --out b2 || fail "export v2"
levels_export --format v1 --since 10 --out g1 || fail "export v1 --since 10"

TO=$(sed -n 2p b1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["to"])')
N=$(sed -n 2p b1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["events"])')
[ "$N" -ge 3000 ] || fail "bundle has $N events, want the 3000 test.tick at least"
K=$((N - 1))
lastseq() { sed -n '1,/^$/p' "$1" | sed '/^$/d' | tail -n 1 | cut -d' ' -f1; }
lasthashes() { # 32-byte hashes of the last event's proof (v1)
    sed -n '1,/^$/p' "$1" | sed '/^$/d' | tail -n 1 | cut -d' ' -f4 |
        python3 -c 'import base64, sys; print(len(base64.b64decode(sys.stdin.read().strip())) // 32)'
}
imp() { # imp BUNDLE [env...]: the import's output, status in $st
    local b=$1
    shift
    out=$(env "$@" "$P" bundle import "$b" --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1)
    st=$?
}
before=$(snap)
# The two-thread import three times (its threads' interleavings vary); on
# PostgreSQL once: each run writes 3,000 events and rolls them back (a few
# seconds there), and the threads are the client's, which cli.bundle_pipe
# runs three times.
RUNS="1 2 3"
[ "$STORE_PG" = 1 ] && RUNS=1
refused() { # refused BUNDLE WANT (WANT: the message, or a prefix ending in '*')
    local b=$1 want=$2 one
    imp "$b" PLUMB_BUNDLE_THREADS=1
    [ $st -ne 0 ] || fail "$b accepted on one thread: $out"
    one=$out
    # shellcheck disable=SC2053
    [[ "$one" == $want ]] || fail "$b on one thread: got '$one', want '$want'"
    [ "$(snap)" = "$before" ] || fail "$b on one thread changed the store"
    for run in $RUNS; do
        imp "$b"
        [ $st -ne 0 ] || fail "$b accepted on two threads (run $run): $out"
        [ "$out" = "$one" ] || fail "$b on two threads (run $run): got '$out', one thread '$one'"
        [ "$(snap)" = "$before" ] || fail "$b on two threads (run $run) changed the store"
    done
}

node "$TAMPER" b1 t-proof "$CKEY" proof-flip-top "$K" || fail "tamper proof"
refused t-proof "plumb: bundle refused: bundle: event seq $(lastseq t-proof): the inclusion proof ($(lasthashes t-proof) hashes) does not verify against the checkpoint of size $TO"
node "$TAMPER" b2 t-header "$CKEY" header "$K" || fail "tamper header"
refused t-header "plumb: bundle refused: bundle: the multi-proof (* hashes) of the $N events does not verify against the checkpoint of size $TO"
node "$TAMPER" b2 t-b64 "$CKEY" b64-char-payload "$K" || fail "tamper payload"
refused t-b64 "plumb: bundle refused: bundle: event seq $(lastseq t-b64): the payload is not base64"
GN=$(sed -n 2p g1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["events"])')
node "$TAMPER" g1 t-gap "$CKEY" proof-flip-top "$((GN - 1))" || fail "tamper gap"
refused t-gap "plumb: bundle refused: bundle: event seq $(lastseq t-gap): the inclusion proof ($(lasthashes t-gap) hashes) does not verify against the checkpoint of size $TO"
# The untampered gap bundle: refused for the gap (the writer's check).
imp g1
[ $st -ne 0 ] && [[ "$out" == *"bundle: gap: origin t.example/c"* ]] || fail "gap bundle: $out"
[ "$(snap)" = "$before" ] || fail "the gap bundle changed the store"
echo "ok: bad last events of $N refused on two threads as on one, the store unchanged"

# The honest bundle both ways: the same records.
recs() {
    local h="json_remove(header, '\$.time')"
    [ "$STORE_PG" = 1 ] && h="(header::jsonb - 'time')::text"
    store_sql "$1" "SELECT seq, type, payload, $h FROM ledger_events ORDER BY seq;
                  SELECT * FROM levels_received ORDER BY origin, seq; SELECT * FROM levels_origins" | sha256sum
}
# The copies come from the receiver as it was before (every refused
# bundle above left it as it was: snap); the last import goes into the
# receiver itself (a copy less: CREATE DATABASE on PostgreSQL).
ONE_B2=$(store_copy "$PDB" one_b2) || fail "copy one"
TWO_B1=$(store_copy "$PDB" two_b1) || fail "copy two"
TWO_B2=$(store_copy "$PDB" two_b2) || fail "copy two"
for b in b2 b1; do
    if [ $b = b2 ]; then ONE=$ONE_B2 TWO=$TWO_B2; else ONE=$PDB TWO=$TWO_B1; fi
    PLUMB_BUNDLE_THREADS=1 "$P" bundle import "$b" --db "$ONE" --origins origins.conf --witness-vkey "$WV" >/dev/null ||
        fail "$b on one thread"
    "$P" bundle import "$b" --db "$TWO" --origins origins.conf --witness-vkey "$WV" >/dev/null ||
        fail "$b on two threads"
    [ "$(store_sql "$TWO" "SELECT count(*) FROM levels_received")" = "$N" ] || fail "$b: not $N received"
    [ "$(recs "$ONE")" = "$(recs "$TWO")" ] || fail "$b: the records differ between one and two threads"
    "$P" verify --db "$TWO" >/dev/null 2>&1 || fail "$b: verify of the two-thread import"
done
echo "ok: the honest bundles (v1, v2) give the same records on two threads as on one"
