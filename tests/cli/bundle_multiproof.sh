#!/usr/bin/env bash
# bundle_multiproof.sh — the multi-proof of plumbline-bundle/v2
# (docs/LEVELS.md §7 "Multi-proof"): one set of the tree's nodes proves
# every event of the bundle against the witnessed checkpoint. A county of
# 45 events (a tree that is not a power of two) where the policy takes
# only some (test.tick, taken through the test hook; the test.other
# between them are not), so the proof holds nodes of every size; an
# independent reading of the documented walk (tests/cli/helpers/
# bundle_tamper.mjs "root", node's own SHA-256) gives the checkpoint's
# root from the events and the nodes. A dishonest sender (the same helper,
# node's Ed25519) flips one bit of the first, a middle and the last node,
# removes the last node, gives it twice, swaps two nodes, cuts a byte, and
# changes one event's header (its seq and payload hash kept, so only the
# proof can tell): each refused whole by `bundle verify` and `bundle
# import` with the message of docs/LEVELS.md §7, the store unchanged. A
# sender that leaves an event out and makes the proof again for the rest
# is accepted (the bundle is what it says: completeness needs the mirror,
# §7). The first format (`--format v1`) is still imported; an unknown
# format line is refused naming both; the honest v2 bundle is recorded
# (its levels.bundle_imported with the file's SHA-256) and its replay
# writes nothing; the receiver put back in levels_received's layout before
# migration 0143 converts on open with every row. Expected texts, counts
# and sizes come from the documented format and the bundle file, not from
# the code under test.
# On both engines (helpers/store_lib.sh, through helpers/levels_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/cli/helpers/levels_lib.sh"
levels_bundle_test 'count(*)'
# 45 events: runs of test.tick (taken) and test.other (not).
other() { for _ in $(seq 1 "$1"); do
    "$P" ledger-append-test --db "$CDB" --type test.other --payload '{"n":1}' >/dev/null || fail "append other"
done; }
tick() { "$P" ledger-append-test --db "$CDB" --count "$1" >/dev/null || fail "append tick"; }
tick 3; other 2; tick 9; other 5; tick 1; other 1; tick 11; other 6; tick 2; other 1; tick 4
levels_push
levels_export --out b || fail export
[ "$(head -n 1 b)" = plumbline-bundle/v2 ] || fail "export wrote $(head -n 1 b)"
head2() { sed -n 2p b | python3 -c "import json, sys; h = json.load(sys.stdin); print($1)"; }
TO=$(head2 'h["to"]')
N=$(head2 'h["events"]')
ROOT=$(head2 'h["checkpoint"].split("\n")[2]')
[ "$TO" = 45 ] || fail "checkpoint size $TO, want 45"
[ "$N" = 30 ] || fail "$N events, want the 30 test.tick"
read -r R M <<<"$(node "$TAMPER" b - - root)" || fail "the documented walk failed on the honest bundle"
[ "$R" = "$ROOT" ] || fail "the documented walk gives root $R, the checkpoint says $ROOT"
[ "$M" -ge 5 ] || fail "a multi-proof of $M nodes for 30 of 45 events"
echo "ok: 30 of 45 events, a multi-proof of $M nodes; the documented walk gives the checkpoint's root"

before=$(snap)
refuse() { # refuse FILE WANT
    local out
    out=$("$P" bundle verify "$1" --origins origins.conf --witness-vkey "$WV" 2>&1) &&
        fail "verify $1 accepted: $out"
    [ "$out" = "plumb: bundle refused: $2" ] || fail "verify $1: got '$out', want 'plumb: bundle refused: $2'"
    out=$("$P" bundle import "$1" --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) &&
        fail "import $1 accepted: $out"
    [ "$out" = "plumb: bundle refused: $2" ] || fail "import $1: got '$out'"
    [ "$(snap)" = "$before" ] || fail "import $1 changed the store"
}
BAD="bundle: the multi-proof ($M hashes) of the $N events does not verify against the checkpoint of size $TO"
for i in 0 $((M / 2)) $((M - 1)); do
    node "$TAMPER" b "t-flip-$i" "$CKEY" mproof-flip "$i" || fail "tamper flip $i"
    refuse "t-flip-$i" "$BAD"
done
node "$TAMPER" b t-swap "$CKEY" mproof-swap || fail "tamper swap"
refuse t-swap "$BAD"
node "$TAMPER" b t-drop "$CKEY" mproof-drop || fail "tamper drop"
refuse t-drop "bundle: the multi-proof has $((M - 1)) hashes, the $N events need $M in the checkpoint of size $TO"
node "$TAMPER" b t-long "$CKEY" mproof-long || fail "tamper long"
refuse t-long "bundle: the multi-proof has $((M + 1)) hashes, the $N events need $M in the checkpoint of size $TO"
node "$TAMPER" b t-len "$CKEY" mproof-len || fail "tamper len"
refuse t-len "bundle: the multi-proof is not base64 of 32-byte hashes ($((32 * M - 1)) bytes)"
for k in 0 $((N / 2)) $((N - 1)); do
    node "$TAMPER" b "t-header-$k" "$CKEY" header "$k" || fail "tamper header $k"
    refuse "t-header-$k" "$BAD"
done
printf 'plumbline-bundle/v3\n' >t-v3 && sed 1d b >>t-v3
refuse t-v3 "bundle: the first line is not 'plumbline-bundle/v1' nor 'plumbline-bundle/v2'"
echo "ok: nodes flipped (first, middle, last), swapped, dropped, doubled, cut; headers changed; v3: refused whole"

# An event left out, the proof made again for the rest: a valid bundle of
# 29 events (nothing in it is false).
node "$TAMPER" b t-omit "$CKEY" drop $((N / 2)) || fail "tamper drop"
out=$("$P" bundle verify t-omit --origins origins.conf --witness-vkey "$WV" 2>&1) || fail "omit: $out"
grep -q "29 events (seq 0..44), signature and proofs valid" <<<"$out" || fail "omit: $out"

# The first format is still read; a range that starts later.
levels_export --format v1 --out b1 || fail "export v1"
[ "$(head -n 1 b1)" = plumbline-bundle/v1 ] || fail "--format v1 wrote $(head -n 1 b1)"
out=$("$P" bundle verify b1 --origins origins.conf --witness-vkey "$WV" 2>&1) || fail "verify v1: $out"
levels_export --since 20 --out b20 || fail "export since 20"
read -r R20 M20 <<<"$(node "$TAMPER" b20 - - root)" || fail "walk b20"
[ "$R20" = "$ROOT" ] || fail "b20: root $R20"
out=$("$P" bundle verify b20 --origins origins.conf --witness-vkey "$WV" 2>&1) || fail "verify b20: $out"
s=$(stat -c %s b) s1=$(stat -c %s b1)
[ "$s" -lt "$s1" ] || fail "v2 ($s bytes) not smaller than v1 ($s1)"
echo "ok: v1 read; --since 20 ($M20 nodes); v2 $s bytes, v1 $s1 bytes"

out=$("$P" bundle import b --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) || fail "import: $out"
[ "$out" = "bundle from t.example/c: $N events (seq 0..$((TO - 1))), $N recorded" ] || fail "import: $out"
# The origin's bytes kept once (docs/LEVELS.md §7, migration 0142): the
# row keeps no payload for a type the view does not read (test.tick), and
# the header and payload are those of its levels.received event, equal to
# the county's.
[ "$(store_sql "$PDB" "SELECT count(*) FROM levels_received WHERE payload IS NOT NULL")" = 0 ] ||
    fail "levels_received copies payloads the view does not read"
store_sql "$PDB" "SELECT r.seq, $(jx e.payload header), $(jx e.payload payload)
    FROM levels_received r JOIN ledger_events e ON e.seq = r.ev_seq ORDER BY r.seq" >got
store_sql "$CDB" "SELECT seq, header, payload FROM ledger_events WHERE type = 'test.tick' ORDER BY seq" >want
cmp -s got want || fail "the recorded events' header and payload differ from the county's"
# levels.bundle_imported names the file's bytes as received (sha256sum of
# the file; the import decodes the events inside its copy of the bundle).
got=$(store_sql "$PDB" "SELECT $(jx payload bundle_sha256) FROM ledger_events
    WHERE type = 'levels.bundle_imported' ORDER BY seq DESC LIMIT 1")
[ "$got" = "$(sha256sum b | cut -d' ' -f1)" ] || fail "bundle_sha256 $got is not the file's"
after=$(snap)
for f in b b1; do
    out=$("$P" bundle import $f --db "$PDB" --origins origins.conf --witness-vkey "$WV" 2>&1) || fail "replay $f: $out"
    [ "$(snap)" = "$after" ] || fail "the replay of $f changed the store"
done
"$P" verify --db "$PDB" >/dev/null || fail "plumb verify of the receiver"
echo "ok: $N events recorded; the replays (v2, v1) wrote nothing"

# Migration 0143: a receiver written before it (levels_received a rowid
# table with the index of its key, the layout of 0112 less 0142's header)
# converts on open, every row kept, one B-tree keyed by (origin, seq).
# SQLite's by nature (WITHOUT ROWID, sqlite_master): PostgreSQL's 0143 is
# empty (its heap and primary key stay), so there is nothing to convert.
if [ "$STORE_PG" = 1 ]; then
    echo "ok: migration 0143 is SQLite's (WITHOUT ROWID); nothing to convert on PostgreSQL"
    exit 0
fi
store_sql "$PDB" "SELECT * FROM levels_received ORDER BY origin, seq" >rows.before
store_sql "$PDB" "
CREATE TABLE lr_old(origin TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, payload TEXT,
                    checkpoint_size INTEGER NOT NULL, checkpoint_root TEXT NOT NULL,
                    ev_seq INTEGER NOT NULL, PRIMARY KEY(origin, seq));
INSERT INTO lr_old SELECT * FROM levels_received;
DROP TABLE levels_received;
ALTER TABLE lr_old RENAME TO levels_received;
DELETE FROM schema_migrations WHERE version = 143;" || fail "downgrade"
[ "$(store_sql "$PDB" "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_autoindex_levels_received_1'")" = 1 ] ||
    fail "setup: no rowid layout"
out=$("$P" verify --db "$PDB" 2>&1) || fail "verify after the conversion: $out"
store_sql "$PDB" "SELECT * FROM levels_received ORDER BY origin, seq" >rows.after
[ -s rows.after ] && cmp -s rows.before rows.after || fail "levels_received rows differ after 0143"
[ "$(store_sql "$PDB" "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'levels_received'")" = 1 ] ||
    fail "levels_received still has an index besides its table"
store_sql "$PDB" "SELECT sql FROM sqlite_master WHERE name = 'levels_received'" | grep -q 'WITHOUT ROWID' ||
    fail "levels_received is not WITHOUT ROWID"
echo "ok: migration 0143 kept the $(wc -l <rows.after) rows in one B-tree"
