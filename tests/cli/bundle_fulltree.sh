#!/usr/bin/env bash
# bundle_fulltree.sh — a plumbline-bundle/v2 whose events are every leaf
# of the checkpoint's tree needs no node: its multi-proof line is "-"
# (docs/LEVELS.md §7 "Multi-proof"), and the root is then the events' own.
# A county of 7 test.tick events only (a tree that is not a power of two)
# exports all 7; the honest bundle verifies; the same bundle with the
# header of the first, a middle or the last event changed (its seq and
# payload hash kept, so only the root can tell; tests/cli/helpers/
# bundle_tamper.mjs, node's Ed25519) is refused by `bundle verify` and
# `bundle import` with the message of docs/LEVELS.md §7, the store
# unchanged. (Before, the receiver took "-" with no node needed as proof
# enough and recorded such a bundle.) Expected texts from the documented
# format and the bundle file, not from the code under test.
# On both engines (helpers/store_lib.sh, through helpers/levels_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/cli/helpers/levels_lib.sh"
levels_bundle_test '*' 7 7
levels_export --out b || fail export
head2() { sed -n 2p b | python3 -c "import json, sys; h = json.load(sys.stdin); print($1)"; }
TO=$(head2 'h["to"]')
N=$(head2 'h["events"]')
[ "$TO" = 7 ] && [ "$N" = 7 ] || fail "checkpoint size $TO, $N events: want 7 and 7"
[ "$(sed -n 3p b)" = "-" ] || fail "multi-proof line '$(sed -n 3p b | cut -c1-40)', want '-'"
"$P" bundle verify b --origins origins.conf --witness-vkey "$WV" >/dev/null || fail "honest bundle refused"

before=$(snap)
for k in 0 3 6; do
    node "$TAMPER" b "t-header-$k" "$CKEY" header "$k" || fail "tamper header $k"
    want="plumb: bundle refused: bundle: the multi-proof (0 hashes) of the 7 events does not verify against the checkpoint of size 7"
    out=$("$P" bundle verify "t-header-$k" --origins origins.conf --witness-vkey "$WV" 2>&1) &&
        fail "verify header $k accepted: $out"
    [ "$out" = "$want" ] || fail "verify header $k: got '$out', want '$want'"
    out=$("$P" bundle import "t-header-$k" --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) &&
        fail "import header $k accepted: $out"
    [ "$out" = "$want" ] || fail "import header $k: got '$out', want '$want'"
    [ "$(snap)" = "$before" ] || fail "import header $k changed the store"
done
"$P" bundle import b --db "$PDB" --origins origins.conf --witness-vkey "$WV" >/dev/null || fail "honest import"
[ "$(store_sql "$PDB" "SELECT count(*) FROM levels_received")" = 7 ] || fail "not 7 received"
echo "ok: all 7 leaves, multi-proof '-': headers 0, 3, 6 changed refused, the honest bundle recorded"
