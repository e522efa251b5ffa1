#!/usr/bin/env bash
# bundle_proofs.sh — the receiver of a signed event bundle verifies every
# event's inclusion proof, also when the events before it have verified
# (docs/LEVELS.md §7 check 5; the import shares the upper part of
# consecutive proofs, docs/BENCHMARKS.md "Levels"): a county of 37 events
# (a tree that is not a power of two, so paths along its right edge skip
# levels) exports them all; a dishonest sender (tests/cli/helpers/
# bundle_tamper.mjs, node's own Ed25519) changes the proof of the second,
# a middle and the last event — one bit of the topmost hash, the topmost
# hash removed, the topmost hash given twice — and signs again; each is
# refused whole by `bundle verify` and `bundle import` with the message of
# the table in docs/LEVELS.md §7, the store unchanged. A header in
# base64 with non-zero bits under its padding is refused as not base64,
# and so is one with a character outside the alphabet in its middle.
# Then the honest bundle is recorded, and its replay writes nothing. These
# are the per-event proofs of the first format, plumbline-bundle/v1
# (`bundle export --format v1`, still imported); the multi-proof of v2 has
# tests/cli/bundle_multiproof.sh.
# Expected texts, seqs and hash counts come from the documented format and
# the bundle file itself, not from the code under test.
# On both engines (helpers/store_lib.sh, through helpers/levels_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/cli/helpers/levels_lib.sh"
levels_bundle_test 'count(*)' 37 5
levels_export --format v1 --out b || fail export
[ "$(head -n 1 b)" = plumbline-bundle/v1 ] || fail "--format v1 wrote $(head -n 1 b)"

# What the file says (docs/LEVELS.md §7 format): the event lines and the
# checkpoint size `to` of the head.
TO=$(sed -n 2p b | python3 -c 'import json, sys; print(json.load(sys.stdin)["to"])')
sed -n '3,/^$/p' b | sed '/^$/d' >lines
N=$(wc -l <lines)
[ "$N" -ge 37 ] || fail "bundle has $N events, want the 37 test.tick at least"
seq_of() { sed -n "$(($1 + 1))p" lines | cut -d' ' -f1; }
hashes_of() { # number of 32-byte hashes of event line $1 of file $2
    sed -n '3,/^$/p' "$2" | sed '/^$/d' | sed -n "$(($1 + 1))p" | cut -d' ' -f4 |
        python3 -c 'import base64, sys; print(len(base64.b64decode(sys.stdin.read().strip())) // 32)'
}

before=$(snap)
for k in 1 $((N / 2)) $((N - 1)); do
    S=$(seq_of $k)
    for mode in proof-flip-top proof-drop-top proof-long; do
        node "$TAMPER" b "t-$mode-$k" "$CKEY" "$mode" "$k" || fail "tamper $mode $k"
        H=$(hashes_of "$k" "t-$mode-$k")
        want="plumb: bundle refused: bundle: event seq $S: the inclusion proof ($H hashes) does not verify against the checkpoint of size $TO"
        out=$("$P" bundle verify "t-$mode-$k" --origins origins.conf --witness-vkey "$WV" 2>&1) &&
            fail "verify $mode event $k accepted: $out"
        [ "$out" = "$want" ] || fail "verify $mode event $k: got '$out', want '$want'"
        out=$("$P" bundle import "t-$mode-$k" --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) &&
            fail "import $mode event $k accepted: $out"
        [ "$out" = "$want" ] || fail "import $mode event $k: got '$out', want '$want'"
        [ "$(snap)" = "$before" ] || fail "import $mode event $k changed the store"
    done
done
echo "ok: proofs of events 1, $((N / 2)), $((N - 1)) changed at the top: refused ($N events, size $TO)"

# Non-canonical base64: the first event after 0 whose header needs padding.
for k in $(seq 1 $((N - 1))); do
    sed -n "$((k + 1))p" lines | cut -d' ' -f2 | grep -q '=$' && break
done
S=$(seq_of $k)
node "$TAMPER" b t-bits "$CKEY" b64-bits "$k" || fail "tamper b64-bits"
out=$("$P" bundle import t-bits --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) &&
    fail "non-canonical base64 accepted: $out"
[ "$out" = "plumb: bundle refused: bundle: event seq $S: the header is not base64" ] || fail "b64-bits: $out"
[ "$(snap)" = "$before" ] || fail "b64-bits changed the store"
echo "ok: non-canonical base64 of event $k refused"

# A character outside the alphabet in the middle of a field (the decoder
# tests the whole field once, not each group): refused as not base64.
k=$((N / 2))
S=$(seq_of $k)
for f in header payload; do
    node "$TAMPER" b "t-char-$f" "$CKEY" "b64-char-$f" "$k" || fail "tamper b64-char-$f"
    out=$("$P" bundle import "t-char-$f" --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) &&
        fail "base64 with '.' in the $f accepted: $out"
    [ "$out" = "plumb: bundle refused: bundle: event seq $S: the $f is not base64" ] ||
        fail "b64-char-$f: $out"
    [ "$(snap)" = "$before" ] || fail "b64-char-$f changed the store"
done
echo "ok: a character outside base64 in event $k's header, payload refused"

# The honest bundle, re-signed by the same dishonest client: recorded, then
# its replay writes nothing.
node "$TAMPER" b t-ok "$CKEY" resign || fail "resign"
out=$("$P" bundle import t-ok --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) || fail "import: $out"
[ "$out" = "bundle from t.example/c: $N events (seq $(seq_of 0)..$((TO - 1))), $N recorded" ] || fail "import: $out"
[ "$(store_sql "$PDB" "SELECT count(*) FROM levels_received WHERE checkpoint_size = $TO")" = "$N" ] || fail "received"
after=$(snap)
out=$("$P" bundle import b --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) || fail "replay: $out"
[ "$(snap)" = "$after" ] || fail "the replay changed the store"
echo "ok: $N events recorded; the replay wrote nothing"
