#!/usr/bin/env bash
# levels.sh — two counties and one prefecture on one machine (issue #21
# items 2 and 3, docs/LEVELS.md):
#  1. each county imports the examples and sweeps, and pushes its
#     checkpoints to the prefecture's witness (`plumb witness serve`);
#  2. the prefecture mirrors both logs (`plumb mirror`): county 1 from
#     its tiles directory, county 2 over HTTP from its `plumb serve`
#     /ledger/ (an auditor's session); growth is mirrored; a fork (the
#     county rewrites its store and signs a new root at a covered size) is
#     refused by the witness AND reported by the mirror with the origin,
#     the size and the tile level; a rollback, an unwitnessed checkpoint, a
#     tampered hash or entry tile and a malformed checkpoint are refused
#     and leave the mirror as it was;
#  3. signed bundles (`plumb bundle export|import`): imported with their
#     provenance; replayed, nothing changes; one byte changed, a bad proof,
#     a proof of the wrong length, a changed payload, a forged signature,
#     an origin not supervised, a gap, a malformed file: refused whole,
#     the store as it was; `plumb verify` of the prefecture passes.
# Expected messages and counts come from docs/LEVELS.md and the examples
# (a hand count of the policy's events), not from the code under test;
# tests/cli/helpers/bundle_tamper.mjs is a dishonest sender written in node
# from the documented format.
# On both engines (helpers/store_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
EX="$SRC/examples"
export PLUMB_SRC=$SRC PLUMB_LANG=en
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
cd "$T" || exit 2
. "$SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
. "$SRC/tests/cli/helpers/levels_lib.sh" # jx
fail() { echo "FAIL: $*"; exit 1; }
command -v node >/dev/null || fail "node is needed"
q() { store_sql "$1" "$2"; }
PDB=$(store_new p) && C1=$(store_new c1) && C2=$(store_new c2) && P2=$(store_new p2) &&
    P3=$(store_new p3) && P4=$(store_new p4) || exit 1
cdb() { case $1 in 1) echo "$C1" ;; 2) echo "$C2" ;; esac; }
# a leaf hash as hex; blob HEX: a blob literal
HEX="hex(leaf_hash)"
[ "$STORE_PG" = 1 ] && HEX="encode(leaf_hash, 'hex')"
blob() { if [ "$STORE_PG" = 1 ]; then echo "'\\x$1'::bytea"; else echo "x'$1'"; fi; }
# Everything the prefecture's store holds about the levels, as one hash.
snap() {
    q "$PDB" "SELECT count(*) FROM ledger_events; SELECT * FROM mirror_logs ORDER BY origin;
      SELECT origin, seq, $HEX, header FROM mirror_entries ORDER BY origin, seq;
      SELECT * FROM levels_received ORDER BY origin, seq; SELECT * FROM levels_origins ORDER BY origin;
      SELECT * FROM mirror_refusals ORDER BY ev_seq" | sha256sum
}
show() { printf '  %s\n' "$1"; } # the refusals, for the log
wait_port() { for _ in $(seq 1 300); do [ -s "$1" ] && return 0; sleep 0.02; done; return 1; }

# ------------------------------------------------------------ 1. setup
"$P" init --db "$PDB" --origin pref.example/4331 >/dev/null || fail "init p"
"$P" keygen --name pref.example/witness --out w.key >/dev/null || fail "keygen"
WV=$("$P" witness vkey --key w.key) || fail "witness vkey"
for c in 1 2; do
    "$P" init --db "$(cdb $c)" --origin county.example/c$c >init$c.out || fail "init c$c"
    "$P" import --all "$EX" --db "$(cdb $c)" --quiet >/dev/null || fail "import c$c"
    "$P" sweep --db "$(cdb $c)" --as-of 2026-03-01 >/dev/null || fail "sweep c$c"
done
LV1=$(tail -n 1 init1.out)
C1KEY=$(store_side "$C1" key) C2KEY=$(store_side "$C2" key)
LV2=$(tail -n 1 init2.out)
printf 'county.example/c1 %s\ncounty.example/c2 %s\n' "$LV1" "$LV2" >logs.conf
"$P" witness serve --state wst --key w.key --logs logs.conf --listen 127.0.0.1:0 --port-file wport 2>wlog &
PIDS+=($!)
wait_port wport || fail "witness serve did not start: $(cat wlog)"
WURL="http://127.0.0.1:$(cat wport)"
push() { "$P" checkpoint push --db "$1" --witness "$WV" --url "$WURL" 2>&1; }
C1PRE=$(store_copy "$C1" c1pre) || fail "copy c1" # a backup from before the 300 events
# County 1 also gets 300 plain events, so its tree has a level-1 tile.
"$P" ledger-append-test --db "$C1" --count 300 >/dev/null || fail "append c1"
N1=$(q "$C1" "SELECT count(*) FROM ledger_events")
out=$(push "$C1") || fail "push c1: $out"
[ "$out" = "witness pref.example/witness: cosigned size $N1" ] || fail "push c1 said: $out"
N2=$(q "$C2" "SELECT count(*) FROM ledger_events")
out=$(push "$C2") || fail "push c2: $out"
[ "$out" = "witness pref.example/witness: cosigned size $N2" ] || fail "push c2 said: $out"
C1OLD=$(store_copy "$C1" c1old) || fail "copy c1" # the county's backup, for the fork
"$P" export-tiles --db "$C1" t1 >/dev/null || fail "export-tiles c1"
cp -r t1 t1-old

# -------------------------------------------------------- 2. mirror
mir() { "$P" mirror --db "$PDB" --origin "county.example/c$1" --vkey "$2" --witness-vkey "$WV" --url "$3" 2>&1; }
out=$(mir 1 "$LV1" t1) || fail "mirror c1: $out"
[ "$out" = "mirror county.example/c1: size 0 -> $N1 (5 tiles verified)" ] || fail "mirror c1 said: $out"
[ "$(q "$PDB" "SELECT count(*) FROM mirror_entries WHERE origin='county.example/c1'")" = "$N1" ] ||
    fail "mirror_entries c1"
# The headers kept are the county's, byte for byte.
[ "$(q "$PDB" "SELECT header FROM mirror_entries WHERE origin='county.example/c1' AND seq=7")" = \
  "$(q "$C1" "SELECT header FROM ledger_events WHERE seq=7")" ] || fail "mirrored header 7 differs"
out=$("$P" mirror --db "$PDB" --origin county.example/c1 --vkey "$LV1" --witness-vkey "$LV1" --url t1 2>&1) &&
    fail "the log's own key was accepted as its witness"
grep -q "origin county.example/c1: the witness key county.example/c1+[0-9a-f]* is the log's own key" <<<"$out" ||
    fail "own key as witness: $out"
out=$(mir 1 "$LV1" t1) || fail "mirror c1 again: $out"
[ "$out" = "mirror county.example/c1: nothing new, size $N1" ] || fail "mirror c1 again said: $out"

# County 2 over HTTP: its own plumb serve, an auditor's session (ledger:read).
PW='Correct-Horse-9battery'
uout=$(echo "$PW" | "$P" user add aud --role auditor --password-stdin --db "$C2" --actor test 2>&1) ||
    fail "user add: $uout"
SECRET=$(printf '%s\n' "$uout" | sed -n 's/^totp_secret: //p')
"$P" serve --db "$C2" --port 0 --port-file sport --quiet 2>slog &
SPID=$!
PIDS+=($SPID)
wait_port sport || fail "serve c2 did not start: $(cat slog)"
B="http://127.0.0.1:$(cat sport)"
code=$(cd "$SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$SECRET', Math.floor(Date.now() / 1000)))") ||
    fail "totp"
status=$(curl -sS -c jar -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"aud\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
[ "$status" = 200 ] || fail "login: $status $(cat login.json)"
awk '$6 ~ /session/ { print $6 "=" $7 }' jar >cookie
[ -s cookie ] || fail "no session cookie in the jar: $(cat jar)"
chmod 600 cookie
out=$(mir 2 "$LV2" "$B/ledger" 2>&1) && fail "mirror over HTTP without a session passed: $out"
grep -q "HTTP 401 (give --cookie-file" <<<"$out" || fail "no session: $out"
out=$("$P" mirror --db "$PDB" --origin county.example/c2 --vkey "$LV2" --witness-vkey "$WV" \
    --url "$B/ledger" --cookie-file cookie 2>&1) || fail "mirror c2 over HTTP: $out"
[ "$out" = "mirror county.example/c2: size 0 -> $N2 (2 tiles verified)" ] || fail "mirror c2 said: $out"
grep -q "$(cat cookie | cut -d= -f2)" slog && fail "the session appears in the server's log"
kill "$SPID"; wait "$SPID" 2>/dev/null

# Growth: county 1 appends, pushes, exports; the mirror follows.
"$P" ledger-append-test --db "$C1" --count 40 >/dev/null
out=$(push "$C1") || fail "push c1 (2): $out"
S1=$(q "$C1" "SELECT max(size) FROM ledger_checkpoints")
[ "$S1" = $((N1 + 1 + 40)) ] || fail "c1 checkpoint $S1"
"$P" export-tiles --db "$C1" t1 >/dev/null
out=$(mir 1 "$LV1" t1) || fail "mirror c1 growth: $out"
[ "$out" = "mirror county.example/c1: size $N1 -> $S1 (3 tiles verified)" ] || fail "growth said: $out"
before=$(snap)

# An unwitnessed checkpoint: not yet misbehaviour, nothing written.
C1U=$(store_copy "$C1" c1u) || fail "copy c1"
"$P" ledger-append-test --db "$C1U" --count 3 >/dev/null
"$P" export-tiles --db "$C1U" tu >/dev/null
out=$(mir 1 "$LV1" tu) && fail "an unwitnessed checkpoint was mirrored"
[ "$(wc -l <<<"$out")" = 1 ] || fail "unwitnessed: not one line: $out"
grep -q "origin county.example/c1: checkpoint of size $((S1 + 4)) is not cosigned by a trusted witness; the mirror stays at size $S1" <<<"$out" ||
    fail "unwitnessed: $out"
show "$out"
[ "$(snap)" = "$before" ] || fail "an unwitnessed checkpoint changed the prefecture's store"

# The fork: county 1 restores its backup (size N1 + 1) and writes other
# events up to the witnessed size S1, then signs and pushes.
"$P" ledger-append-test --db "$C1OLD" --count $((S1 - N1 - 1)) --payload-bytes 9 >/dev/null
out=$(push "$C1OLD") && fail "the witness cosigned a fork"
grep -q "witness pref.example/witness refused: HTTP 409: $S1$" <<<"$out" || fail "witness on the fork: $out"
show "$out"
[ "$(q "$C1OLD" "SELECT max(size) FROM ledger_checkpoints")" = "$S1" ] || fail "fork not at $S1"
"$P" export-tiles --db "$C1OLD" tf >/dev/null
out=$(mir 1 "$LV1" tf) && fail "the mirror accepted a fork"
[ "$(wc -l <<<"$out")" = 1 ] || fail "fork: not one line: $out"
FT=$(((N1 + 1) / 256)) # the tile of the first forked entry, N1 + 1
grep -q "origin county.example/c1: fork at witnessed size $S1: .*tile level 0 index $FT differs from the mirror from entry $((N1 + 1))" <<<"$out" ||
    fail "fork message: $out"
show "$out"
[ "$(q "$PDB" "SELECT kind, size, tile_level, tile_index FROM mirror_refusals")" = "fork|$S1|0|$FT" ] ||
    fail "fork not recorded: $(q "$PDB" 'SELECT * FROM mirror_refusals')"
[ "$(q "$PDB" "SELECT size FROM mirror_logs WHERE origin='county.example/c1'")" = "$S1" ] ||
    fail "the fork moved the mirror"
[ "$(q "$PDB" "SELECT count(*) FROM mirror_entries WHERE origin='county.example/c1'")" = "$S1" ] ||
    fail "the fork changed the mirrored entries"
before=$(snap)

# A rollback: the old witnessed checkpoint (size N1) served again.
out=$(mir 1 "$LV1" t1-old) && fail "a rollback was accepted"
grep -q "origin county.example/c1: rollback: the log serves a checkpoint of size $N1, the mirror holds the witnessed size $S1" <<<"$out" ||
    fail "rollback: $out"
show "$out"
[ "$(q "$PDB" "SELECT count(*) FROM mirror_refusals WHERE kind='rollback' AND size=$N1")" = 1 ] ||
    fail "rollback not recorded"
before=$(snap)

# A fork that rewrites early history (from the backup of 99 events) and
# grows past the witnessed size: refused by the witness (it never cosigned
# this tree) and located by the mirror in tile 0, entry 99.
NP=$(q "$C1PRE" "SELECT count(*) FROM ledger_events")
"$P" ledger-append-test --db "$C1PRE" --count $((S1 + 10 - NP)) --payload-bytes 7 >/dev/null
out=$(push "$C1PRE") && fail "the witness cosigned an early fork"
show "$out"
"$P" export-tiles --db "$C1PRE" tfe >/dev/null
out=$(mir 1 "$LV1" tfe) && fail "the mirror accepted an early fork"
grep -q "origin county.example/c1: fork at witnessed size $S1: tile level 0 index 0 (checkpoint size $((S1 + 10))) differs from the mirror from entry $NP" <<<"$out" ||
    fail "early fork: $out"
show "$out"
[ "$(q "$PDB" "SELECT count(*) FROM mirror_entries WHERE origin='county.example/c1'")" = "$S1" ] ||
    fail "the early fork changed the mirrored entries"
before=$(snap)

# Tampered tiles, seen by a second prefecture store mirroring from scratch.
"$P" init --db "$P2" --origin pref.example/p2 >/dev/null
mir2() { "$P" mirror --db "$P2" --origin county.example/c1 --vkey "$LV1" --witness-vkey "$WV" --url "$1" 2>&1; }
flip() { # flip one byte of file $1 at offset $2
    printf "$(printf '\\x%02x' $(( $(od -An -tu1 -j "$2" -N1 "$1") ^ 1 )))" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
cp -r t1 tx && flip tx/tile/entries/000 40
out=$(mir2 tx) && fail "a tampered entry tile was mirrored"
grep -q "origin county.example/c1: size $S1: entry tile (level -1) index 0 entry 0 does not match tile level 0 index 0" <<<"$out" ||
    fail "entry tile: $out"
show "$out"
rm -rf tx && cp -r t1 tx && flip tx/tile/1/000.p/1 5
out=$(mir2 tx) && fail "a tampered level-1 tile was mirrored"
grep -q "origin county.example/c1: size $S1: tile level 1 index 0 does not match the tiles below it" <<<"$out" ||
    fail "level-1 tile: $out"
show "$out"
rm -rf tx && cp -r t1 tx && rm tx/tile/0/001.p/*
out=$(mir2 tx) && fail "a missing tile was accepted"
grep -q "origin county.example/c1: size $S1: tile level 0 index 1 is missing" <<<"$out" || fail "missing tile: $out"
[ "$(q "$P2" "SELECT count(*) FROM mirror_logs") $(q "$P2" "SELECT count(*) FROM mirror_entries")" = "0 0" ] ||
    fail "tampered tiles left a mirror"
[ "$(q "$P2" "SELECT tile_level FROM mirror_refusals ORDER BY ev_seq" | paste -sd,)" = "-1,1,0" ] ||
    fail "tile refusals: $(q "$P2" 'SELECT * FROM mirror_refusals')"
# Malformed checkpoints: one clear line, nothing written at all.
rm -rf tx && cp -r t1 tx
n2=$(q "$P2" "SELECT count(*) FROM ledger_events")
printf 'county.example/c1\nnot a number\nAAAA\n\n— x AAAA\n' >tx/checkpoint
out=$(mir2 tx) && fail "a malformed checkpoint passed"
[ "$(wc -l <<<"$out")" = 1 ] && grep -q "origin county.example/c1: checkpoint: " <<<"$out" || fail "malformed: $out"
show "$out"
cp t1/checkpoint tx/checkpoint && sed -i '1s/c1/c2/' tx/checkpoint
out=$(mir2 tx) && fail "another log's checkpoint passed"
grep -q "origin county.example/c1: checkpoint: \|origin county.example/c1: the checkpoint is of another log" <<<"$out" ||
    fail "other origin: $out"
# A checkpoint the county signed claiming 2^40 entries (node's Ed25519,
# signed-note format): refused before anything is allocated for it.
C1KEY=$C1KEY node --input-type=module -e '
import { createPrivateKey, sign } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
const parts = readFileSync(process.env.C1KEY, "utf8").trim().split("+");
const [name, id, b64] = [parts[2], parts[3], parts.slice(4).join("+")];
const key = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"),
    Buffer.from(b64, "base64").subarray(1)]), format: "der", type: "pkcs8" });
const text = name + "\n1099511627776\n" + Buffer.alloc(32, 9).toString("base64") + "\n";
const sig = sign(null, Buffer.from(text), key);
writeFileSync("tx/checkpoint", text + "\n\u2014 " + name + " " +
    Buffer.concat([Buffer.from(id, "hex"), sig]).toString("base64") + "\n");' || fail "node: huge checkpoint"
out=$(mir2 tx) && fail "a checkpoint of 2^40 entries passed"
grep -q "origin county.example/c1: checkpoint of size 1099511627776: larger than the mirror takes (16777216 entries)" <<<"$out" ||
    fail "huge checkpoint: $out"
show "$out"
: >tx/checkpoint
out=$(mir2 tx) && fail "an empty checkpoint passed"
grep -q "origin county.example/c1: checkpoint: " <<<"$out" || fail "empty checkpoint: $out"
[ "$(q "$P2" "SELECT count(*) FROM ledger_events")" = "$n2" ] || fail "a malformed checkpoint wrote an event"
out=$(mir2 t1) || fail "p2 mirror of the good tiles: $out"
[ "$(snap)" = "$before" ] || fail "p2's refusals changed p.db"

# The follower inside the prefecture's plumb serve (--mirror, 1 s rounds).
push "$C2" >/dev/null || fail "push c2 (2)" # its server's sign-in events since
N2b=$(q "$C2" "SELECT max(size) FROM ledger_checkpoints")
"$P" export-tiles --db "$C2" t2 >/dev/null || fail "export-tiles c2"
"$P" init --db "$P3" --origin pref.example/p3 >/dev/null
printf 'witness %s\nlog county.example/c1 %s %s\nlog county.example/c2 %s %s\n' \
    "$WV" "$LV1" "$T/t1" "$LV2" "$T/t2" >mirror.conf
"$P" serve --db "$P3" --port 0 --port-file p3port --quiet --mirror mirror.conf --mirror-interval 1 2>p3log &
FPID=$!
PIDS+=($FPID)
wait_port p3port || fail "serve --mirror did not start: $(cat p3log)"
for _ in $(seq 1 100); do
    [ "$(q "$P3" "SELECT count(*) FROM mirror_logs")" = 2 ] 2>/dev/null && break
    sleep 0.1
done
[ "$(q "$P3" "SELECT origin || ' ' || size FROM mirror_logs ORDER BY origin" | tr '\n' ,)" = \
  "county.example/c1 $S1,county.example/c2 $N2b," ] || fail "serve --mirror: $(q "$P3" 'SELECT * FROM mirror_logs'; cat p3log)"
grep -q '"msg":"mirrored","origin":"county.example/c1","from":0,"size":'"$S1" p3log ||
    fail "no log line for the follower's round: $(cat p3log)"
kill -TERM "$FPID"
wait "$FPID"
[ $? -eq 0 ] || fail "serve --mirror did not stop cleanly: $(cat p3log)"
printf 'log county.example/c1 %s %s\n' "$LV1" t1 >bad.conf
out=$("$P" serve --db "$P3" --port 0 --mirror bad.conf 2>&1) && fail "serve with a mirror file without witness started"
grep -q "bad.conf: needs at least one witness line and one log line" <<<"$out" || fail "bad mirror file: $out"

# ------------------------------------------------------- 3. bundles
printf 'county.example/c1 %s\ncounty.example/c2 %s\n' "$LV1" "$LV2" >origins.conf
imp() { "$P" bundle import "$1" --db "$PDB" --origins "${2:-origins.conf}" --witness-vkey "$WV" 2>&1; }
out=$("$P" bundle export --db "$C2" --witness-vkey "$WV" --out b2 2>&1) || fail "export c2: $out"
# supervisor/v1 on the examples: 41 events of the entitled types
# (finding.*, warning.*: R18's one finding and R19's four among them) and
# 27 about the 3 holders of top posts (person, tenure, kin, declarations,
# evaluations, clues, ...), and the org chart that names them: the 3 top
# posts (P001, P002, P004) and their 3 units (U001–U003): 74.
want=$(q "$C2" "SELECT count(*) FROM ledger_events WHERE type LIKE 'finding.%' OR type LIKE 'warning.%'")
[ "$want" = 41 ] || fail "the examples changed: $want finding/warning events (update the hand count)"
[ "$out" = "b2: 74 events" ] || fail "export c2 said: $out"
before=$(snap)
out=$(imp b2) || fail "import b2: $out"
[ "$out" = "bundle from county.example/c2: 74 events (seq 0..$((N2b - 1))), 74 recorded" ] ||
    fail "import said: $out"
[ "$(q "$PDB" "SELECT count(*) FROM levels_received WHERE origin='county.example/c2' AND checkpoint_size=$N2b")" = 74 ] ||
    fail "provenance"
# The origin's header kept once: in the levels.received event the row names.
[ "$(q "$PDB" "SELECT $(jx e.payload header) FROM levels_received r JOIN ledger_events e ON e.seq = r.ev_seq
    WHERE r.origin='county.example/c2' AND r.type='warning.raised' ORDER BY r.seq LIMIT 1")" = \
  "$(q "$C2" "SELECT header FROM ledger_events WHERE type='warning.raised' ORDER BY seq LIMIT 1")" ] || fail "header kept"
[ "$(q "$PDB" "SELECT next_seq, bundles FROM levels_origins")" = "$N2b|1" ] || fail "levels_origins"
after=$(snap)
L=$(q "$PDB" "SELECT count(*) FROM ledger_events")
out=$(imp b2) || fail "replay: $out"
grep -q "all recorded before, nothing written" <<<"$out" || fail "replay said: $out"
[ "$(q "$PDB" "SELECT count(*) FROM ledger_events")" = "$L" ] || fail "a replay grew the ledger"
[ "$(snap)" = "$after" ] || fail "a replay changed the store"

# Refused whole, nothing written: one byte, proofs, payload, signature,
# origin, gap, format.
out=$("$P" bundle export --db "$C1" --witness-vkey "$WV" --out b1 2>&1) || fail "export c1: $out"
# The per-event proofs of the first format (still imported): its tampers.
out=$("$P" bundle export --db "$C1" --witness-vkey "$WV" --format v1 --out b1v1 2>&1) || fail "export c1 v1: $out"
refused() { # refused FILE WANT [ORIGINS]
    local o
    o=$(imp "$1" "${3:-origins.conf}") && fail "$1 was imported: $o"
    [ "$(wc -l <<<"$o")" = 1 ] || fail "$1: not one line: $o"
    grep -q -- "$2" <<<"$o" || fail "$1: $o (want: $2)"
    show "$o"
    [ "$(snap)" = "$after" ] || fail "$1 changed the store"
}
cp b1 b1-byte && flip b1-byte 400
refused b1-byte "the sender's signature (county.example/c1+.*) does not verify: the bundle was altered or forged"
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1v1 b1-flip "$C1KEY" proof-flip || fail "tamper"
refused b1-flip "bundle: event seq [0-9]*: the inclusion proof ([0-9]* hashes) does not verify against the checkpoint of size $S1"
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1v1 b1-short "$C1KEY" proof-short
refused b1-short "the inclusion proof ([0-9]* hashes) does not verify"
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1v1 b1-len "$C1KEY" proof-len
refused b1-len "bundle: event seq [0-9]*: the proof is not base64 of 32-byte hashes ([0-9]* bytes)"
# v2 (the default): one node of the sparse multi-proof (74 events of the
# policy in a tree of hundreds) flipped, and re-signed.
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1 b1-mflip "$C1KEY" mproof-flip 3 || fail "tamper mproof"
refused b1-mflip "bundle: the multi-proof ([0-9]* hashes) of the [0-9]* events does not verify against the checkpoint of size $S1"
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1 b1-pay "$C1KEY" payload
refused b1-pay "the payload does not hash to the header's payload_sha256"
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1 b1-seq "$C1KEY" seq
refused b1-seq "bundle: event seq [0-9]* is not after seq"
"$P" keygen --name county.example/c1 --out forger.key >/dev/null
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1 b1-forged forger.key resign
refused b1-forged "bundle: signed by county.example/c1+[0-9a-f]*, not by the sender key of county.example/c1 (county.example/c1+[0-9a-f]*): forged"
node "$SRC/tests/cli/helpers/bundle_tamper.mjs" b1 b1-w2 "$C2KEY" resign
refused b1-w2 "bundle: origin county.example/c1 is not a log this level supervises from sender county.example/c2+[0-9a-f]* (configured for county.example/c2)"
printf 'county.example/c2 %s\n' "$LV2" >only2.conf
refused b1 "bundle: signed by county.example/c1+[0-9a-f]*, the sender of no origin this level supervises" only2.conf
head -c 300 b1 >b1-cut
refused b1-cut "bundle: no empty line before a signature line (cut short?)"
printf 'hello\n' >b1-bad
refused b1-bad "bundle: the first line is not 'plumbline-bundle/v1'"
# A gap: county 1 grows, and sends only from its new events on.
"$P" ledger-append-test --db "$C1" --count 5 >/dev/null
push "$C1" >/dev/null || fail "push c1 (3)"
S3=$(q "$C1" "SELECT max(size) FROM ledger_checkpoints")
"$P" bundle export --db "$C1" --witness-vkey "$WV" --since "$S1" --out b1-gap >/dev/null || fail "export gap"
refused b1-gap "bundle: gap: origin county.example/c1: this bundle starts at seq $S1, but events from seq 0 on have not been received"
# Unwitnessed: no cosigned checkpoint covers --since.
out=$("$P" bundle export --db "$C1" --witness-vkey "$WV" --since $((S3 + 5)) --out bx 2>&1) &&
    fail "export beyond the witnessed checkpoint passed"
grep -q "the latest witnessed checkpoint covers events 0..$((S3 - 1))" <<<"$out" || fail "export beyond: $out"
# In order, both import; then the gap bundle is no longer a gap (and adds nothing).
out=$(imp b1) || fail "import b1: $out"
out=$(imp b1-gap) || fail "import b1-gap after b1: $out"
grep -q "bundle from county.example/c1: 0 events (seq $S1..$((S3 - 1))), 0 recorded, received up to seq $((S3 - 1))" <<<"$out" ||
    fail "b1-gap after b1: $out"
[ "$(q "$PDB" "SELECT next_seq FROM levels_origins WHERE origin='county.example/c1'")" = "$S3" ] ||
    fail "c1 next_seq after the gap bundle"
# Over HTTP: POST /levels/bundles of a prefecture's plumb serve; the sender
# pins the receiver's log key and checks the signed receipt.
"$P" init --db "$P4" --origin pref.example/p4 >init4.out || fail "init p4"
PV4=$(tail -n 1 init4.out)
"$P" serve --db "$P4" --port 0 --port-file p4port --quiet --bundle-origins origins.conf \
    --bundle-witness "$WV" 2>p4log &
BPID=$!
PIDS+=($BPID)
wait_port p4port || fail "serve --bundle-origins did not start: $(cat p4log)"
B4="http://127.0.0.1:$(cat p4port)"
send() { "$P" bundle send "$1" --url "$B4" --receiver-vkey "${2:-$PV4}" 2>&1; }
out=$(send b2) || fail "bundle send: $out"
[ "$out" = "receipt verified, signed by pref.example/p4: county.example/c2 0 $N2b 74" ] ||
    fail "bundle send said: $out"
[ "$(q "$P4" "SELECT count(*) FROM levels_received")" = 74 ] || fail "p4 levels_received"
L4=$(q "$P4" "SELECT count(*) FROM ledger_events")
out=$(send b2) || fail "bundle send again: $out"
[ "$out" = "receipt verified, signed by pref.example/p4: county.example/c2 0 $N2b 0" ] ||
    fail "bundle send again said: $out"
out=$(send b1-byte) && fail "a changed bundle was accepted over HTTP"
grep -q "HTTP 422: bundle: the sender's signature (county.example/c1+[0-9a-f]*) does not verify" <<<"$out" ||
    fail "changed bundle over HTTP: $out"
show "$out"
out=$(send b1-gap) && fail "a gap was accepted over HTTP"
grep -q "HTTP 409: bundle: gap: origin county.example/c1" <<<"$out" || fail "gap over HTTP: $out"
out=$(send b2 "$LV2") && fail "a receipt was accepted from the wrong key"
grep -q "the receipt is not signed by the receiver's key" <<<"$out" || fail "wrong receiver key: $out"
show "$out"
[ "$(q "$P4" "SELECT count(*) FROM ledger_events")" = "$L4" ] || fail "refused bundles wrote over HTTP"
status=$(curl -sS -o get.json -w '%{http_code}' "$B4/levels/bundles")
[ "$status" = 405 ] || fail "GET /levels/bundles: $status"
kill -TERM "$BPID"; wait "$BPID" 2>/dev/null

out=$("$P" verify --db "$PDB" 2>&1) || fail "verify p.db: $out"
grep -q "ledger ok" <<<"$out" || fail "verify p.db: $out"
grep -q "^mirror: signatures, entries and roots match, logs 2, entries $((S1 + N2))$" <<<"$out" ||
    fail "verify p.db, mirror: $out"
# The mirror's copy edited behind its back: plumb verify names it.
# One copy for all (a copy is a CREATE DATABASE on PostgreSQL, seconds
# each): every change but the last is undone after its verify (UNDO), and
# the copy passes verify again before the last.
PV=$(store_copy "$PDB" pv) || fail "copy p"
vbad() { # vbad SQL WANT [UNDO]
    local o
    q "$PV" "$1" || fail "sql $1"
    o=$("$P" verify --db "$PV" --no-replay 2>&1) && fail "verify passed after: $1"
    grep -q -- "$2" <<<"$o" || fail "verify after $1: $o (want $2)"
    show "$o"
    [ $# -lt 3 ] || q "$PV" "$3" || fail "sql $3"
}
vbad "UPDATE mirror_entries SET header = replace(header, '\"seq\":7', '\"seq\":8') WHERE origin = 'county.example/c1' AND seq = 7" \
    "mirror_entries county.example/c1 seq 7: leaf_hash is not SHA-256(0x00 || header)" \
    "UPDATE mirror_entries SET header = replace(header, '\"seq\":8', '\"seq\":7') WHERE origin = 'county.example/c1' AND seq = 7"
# (the row put back as it was: its hash and header, which holds no quote)
IFS='|' read -r lh lhdr <<<"$(q "$PV" "SELECT $HEX, header FROM mirror_entries WHERE origin = 'county.example/c2' AND seq = $((N2 - 1))")"
case $lhdr in *"'"*) fail "a quote in header $((N2 - 1))" ;; esac
vbad "DELETE FROM mirror_entries WHERE origin = 'county.example/c2' AND seq = $((N2 - 1))" \
    "mirror_entries county.example/c2: $((N2 - 1)) entries, the checkpoint has $N2" \
    "INSERT INTO mirror_entries(origin, seq, leaf_hash, header) VALUES('county.example/c2', $((N2 - 1)), $(blob "$lh"), '$lhdr')"
vbad "INSERT INTO mirror_entries(origin, seq, leaf_hash, header) VALUES('x', 0, $(blob 01), 'x')" \
    "mirror_entries x: no mirror_logs row for the origin" "DELETE FROM mirror_entries WHERE origin = 'x'"
vbad "UPDATE mirror_logs SET size = size - 1 WHERE origin = 'county.example/c1'" \
    "mirror_logs county.example/c1: size or root_hash is not the checkpoint's" \
    "UPDATE mirror_logs SET size = size + 1 WHERE origin = 'county.example/c1'"
out=$("$P" verify --db "$PV" --no-replay 2>&1) || fail "the copy after the undos: $out" # each undo complete
# One character of the last signature changed (A<->B, so that it always changes).
vbad "UPDATE mirror_logs SET checkpoint = substr(checkpoint, 1, length(checkpoint) - 11) || CASE WHEN substr(checkpoint, length(checkpoint) - 9, 1) = 'A' THEN 'B' ELSE 'A' END || substr(checkpoint, length(checkpoint) - 8) WHERE origin = 'county.example/c2'" \
    "mirror_logs county.example/c2: checkpoint: "
echo "ok: levels: 2 counties mirrored (1 by HTTP), fork/rollback/tiles/checkpoints refused, bundles verified"
