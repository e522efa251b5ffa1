#!/usr/bin/env bash
# witness.sh — the stateful witness (issue #21 item 1, docs/LEVELS.md):
#  1. an independent client (tests/cli/helpers/witness_client.mjs, node's
#     crypto, written from c2sp.org/tlog-witness and tlog-cosignature)
#     drives `plumb witness serve`: statuses, bodies and cosignatures as the
#     spec says, the spec's example bytes, refusals leave the state as it
#     was; then KILLS (default 55) kill -9 while co-signing: never two roots
#     for one size, never back;
#  2. a county store pushes its checkpoints (`plumb checkpoint push`) to
#     the witness and to a prefecture's `plumb serve --witness-state`
#     (/witness/add-checkpoint); `plumb verify --witness` checks the stored
#     cosignatures; a forked copy of the county's store is refused and the
#     witness's state does not move; bad input gets one clear line.
# On both engines (helpers/store_lib.sh); part 1 has no store and runs on
# SQLite only (cli.witness).
# Expected answers come from the specs (status codes, formats), not from
# the code under test.
set -u
: "${PLUMB:?set PLUMB to the plumb binary}"
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export PLUMB_SRC=$SRC PLUMB_LANG=en
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
cd "$T" || exit 2
. "$SRC/tests/cli/helpers/store_lib.sh"
P=$PLUMB
fail() { echo "FAIL: $*"; exit 1; }
command -v node >/dev/null || fail "node is needed (the independent client)"

# ---------------------------------------------- 1. protocol and crash
# No store here (the witness's state is files): run once, by cli.witness.
if [ "$STORE_PG" = 0 ]; then
    node "$SRC/tests/cli/helpers/witness_client.mjs" "$P" "$T/proto" "${KILLS:-55}" || exit 1
fi

# ---------------------------------------------- 2. county -> witness
C=$(store_new c) || fail "store c"
"$P" init --db "$C" --origin county.example/433127 >init.out || fail "init"
LV=$(tail -n 1 init.out)
"$P" keygen --name witness.example/pref --out w.key >/dev/null || fail "keygen"
WV=$("$P" witness vkey --key w.key) || fail "witness vkey"
t=$(printf "%s" "$WV" | cut -d+ -f3- | base64 -d | head -c 1 | od -An -tx1 | tr -d ' ')
[ "$t" = 04 ] || fail "witness vkey is not type 0x04 (cosignature/v1): $WV"
echo "county.example/433127 $LV" >logs.conf

wait_port() { for _ in $(seq 1 300); do [ -s "$1" ] && return 0; sleep 0.02; done; return 1; }
"$P" witness serve --state st --key w.key --logs logs.conf --listen 127.0.0.1:0 --port-file wport 2>wlog &
PIDS+=($!)
wait_port wport || fail "witness serve did not start: $(cat wlog)"
WURL="http://127.0.0.1:$(cat wport)"

"$P" ledger-append-test --db "$C" --count 5 >/dev/null || fail "append"
out=$("$P" checkpoint push --db "$C" --witness "$WV" --url "$WURL" 2>&1) || fail "push 1: $out"
[ "$out" = "witness witness.example/pref: cosigned size 5" ] || fail "push 1 said: $out"
"$P" ledger-append-test --db "$C" --count 7 >/dev/null || fail "append"
out=$("$P" checkpoint push --db "$C" --witness "$WV" --url "$WURL" 2>&1) || fail "push 2: $out"
# 5 events + checkpoint record (6) + 7 = 13
[ "$out" = "witness witness.example/pref: cosigned size 13" ] || fail "push 2 said: $out"
out=$("$P" verify --db "$C" --witness "$WV" --no-replay 2>&1) || fail "verify --witness: $out"
grep -q "2 checkpoints (2 cosigned)" <<<"$out" || fail "verify: $out"
# Another witness key: no checkpoint carries its cosignature.
"$P" keygen --name witness.example/other --out o.key >/dev/null
OV=$("$P" witness vkey --key o.key)
out=$("$P" verify --db "$C" --witness "$OV" --no-replay 2>&1) && fail "verify with a key that never cosigned passed"
grep -q "no checkpoint is cosigned by witness witness.example/other" <<<"$out" || fail "verify other key: $out"
# A cosignature altered in the store is caught.
CB=$(store_copy "$C" cbad) || fail "copy c"
store_sql "$CB" "UPDATE ledger_checkpoints SET note = replace(note, substr(note, length(note) - 20, 4), 'AAAA') WHERE size = 13" || fail "sql"
out=$("$P" verify --db "$CB" --witness "$WV" --no-replay 2>&1) && fail "verify passed a damaged cosignature"
grep -qi "signature" <<<"$out" || fail "damaged cosignature: $out"

# The county forks: a copy of its store at size 13 diverges.
before=$(cat st/*.state)
F=$(store_copy "$C" f) || fail "copy f"
"$P" ledger-append-test --db "$C" --count 4 >/dev/null
out=$("$P" checkpoint push --db "$C" --witness "$WV" --url "$WURL" 2>&1) || fail "push 3: $out"
[ "$out" = "witness witness.example/pref: cosigned size 18" ] || fail "push 3 said: $out"
before=$(cat st/*.state)
# fork at a size the witness covered (16 < 18): refused, log named.
"$P" ledger-append-test --db "$F" --count 2 >/dev/null
out=$("$P" checkpoint push --db "$F" --witness "$WV" --url "$WURL" 2>&1) && fail "fork at a covered size was cosigned"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "fork refusal is not one line: $out"
grep -q "witness witness.example/pref has cosigned size 18, beyond this log's checkpoint (16)" <<<"$out" || fail "fork 16: $out"
# fork beyond it (16 + 1 record + 5 = 22): the proof from 18 does not verify: 422.
"$P" ledger-append-test --db "$F" --count 5 >/dev/null
out=$("$P" checkpoint push --db "$F" --witness "$WV" --url "$WURL" 2>&1) && fail "fork beyond the covered size was cosigned"
grep -q "witness witness.example/pref refused: HTTP 422" <<<"$out" || fail "fork 22: $out"
[ "$(cat st/*.state)" = "$before" ] || fail "the witness's state moved on a fork"
# The 422 fork is kept as evidence, with its signed checkpoint.
froot=$(store_sql "$F" "SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1" | sed -n 3p)
[ "$(grep -c '^refused 422 ' st/*.refused)" = 1 ] || fail "evidence: $(cat st/*.refused 2>&1 | head -3)"
grep -qF "$froot" st/*.refused || fail "evidence lacks the fork's root $froot"
out=$("$P" verify --db "$F" --witness "$WV" --no-replay 2>&1) || fail "fork store verify: $out"

# Bad input: a log key (type 1) given as the witness key; no URL; a
# witness that is not there.
out=$("$P" checkpoint push --db "$C" --witness "$LV" --url "$WURL" 2>&1) && fail "push with a log key passed"
grep -q "is not a cosignature/v1 key" <<<"$out" || fail "log key as witness: $out"
out=$("$P" checkpoint push --db "$C" --witness "$WV" 2>&1) && fail "push without --url passed"
out=$("$P" checkpoint push --db "$C" --witness "$WV" --url http://127.0.0.1:1 2>&1)
[ $? -eq 2 ] || fail "push to a closed port: exit code, want 2: $out"
grep -q "cannot connect" <<<"$out" || fail "closed port: $out"
out=$("$P" witness serve --state st2 --key w.key --logs /nonexistent --listen 127.0.0.1:0 2>&1) && fail "serve without logs file started"
grep -q "/nonexistent" <<<"$out" || fail "missing logs file: $out"
printf 'county.example/433127 not-a-key\n' >bad.conf
out=$("$P" witness serve --state st2 --key w.key --logs bad.conf --listen 127.0.0.1:0 2>&1) && fail "serve with a bad logs file started"
grep -q "bad.conf line 1" <<<"$out" || fail "bad logs file: $out"

# ------------------------------------ 3. the witness inside plumb serve
PR=$(store_new pref) || fail "store pref"
C2=$(store_new c2) || fail "store c2"
C3=$(store_new c3) || fail "store c3"
"$P" init --db "$PR" --origin pref.example/4331 >/dev/null || fail "init pref"
"$P" init --db "$C2" --origin county.example/433130 >c2.out || fail "init c2"
echo "county.example/433130 $(tail -n 1 c2.out)" >plogs.conf
"$P" keygen --name pref.example/witness --out pw.key >/dev/null
PV=$("$P" witness vkey --key pw.key)
"$P" serve --db "$PR" --port 0 --port-file sport --quiet --witness-state pst --witness-key pw.key \
    --witness-logs plogs.conf 2>slog &
PIDS+=($!)
wait_port sport || fail "plumb serve did not start: $(cat slog)"
SURL="http://127.0.0.1:$(cat sport)/witness"
"$P" ledger-append-test --db "$C2" --count 3 >/dev/null
echo "$PV $SURL" >witnesses.conf
echo "$WV $WURL" >>witnesses.conf
out=$("$P" checkpoint push --db "$C2" --witnesses witnesses.conf 2>&1)
# The standalone witness does not witness county 2: 404, named; the
# prefecture's route cosigns.
[ $? -eq 1 ] || fail "push to a witness that does not know the log: want exit 1: $out"
grep -q "witness pref.example/witness: cosigned size 3" <<<"$out" || fail "serve route: $out"
grep -q "witness witness.example/pref refused: HTTP 404" <<<"$out" || fail "unknown log via push: $out"
out=$("$P" verify --db "$C2" --witness "$PV" --no-replay 2>&1) || fail "verify c2: $out"
code=$(curl -s -o /dev/null -w '%{http_code}' "$SURL/add-checkpoint") || fail "curl"
[ "$code" = 405 ] || fail "GET /witness/add-checkpoint: $code"
code=$(curl -s -o body -w '%{http_code}' --data-binary $'old 0\n\nnot a note' "$SURL/add-checkpoint")
[ "$code" = 400 ] || fail "malformed via plumb serve: $code $(cat body)"
grep -q '"field":"checkpoint"' body || fail "malformed body names no field: $(cat body)"

# ---------------------------- 4. the county's plumb serve pushes by itself
"$P" init --db "$C3" --origin county.example/433131 >c3.out || fail "init c3"
echo "county.example/433131 $(tail -n 1 c3.out)" >>plogs.conf
# the prefecture re-reads its logs file on start: restart it
kill "${PIDS[1]}"; wait "${PIDS[1]}" 2>/dev/null
rm -f sport
"$P" serve --db "$PR" --port 0 --port-file sport --quiet --witness-state pst --witness-key pw.key \
    --witness-logs plogs.conf 2>slog &
PIDS+=($!)
wait_port sport || fail "plumb serve did not restart: $(cat slog)"
SURL="http://127.0.0.1:$(cat sport)/witness"
echo "$PV $SURL" >c3w.conf
"$P" serve --db "$C3" --port 0 --port-file c3port --push-witnesses c3w.conf --push-interval 1 2>c3log &
C3PID=$!
PIDS+=($C3PID)
wait_port c3port || fail "county serve did not start: $(cat c3log)"
"$P" ledger-append-test --db "$C3" --count 4 >/dev/null
"$P" checkpoint --db "$C3" >/dev/null || fail "checkpoint c3"
ok=""
for _ in $(seq 1 100); do
    if "$P" verify --db "$C3" --witness "$PV" --no-replay >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
done
[ -n "$ok" ] || fail "plumb serve --push-witnesses did not store a cosignature: $(cat c3log)"
grep -q '"msg":"witness cosigned","witness":"pref.example/witness","size":4' c3log || fail "push log: $(cat c3log)"
kill "$C3PID"; wait "$C3PID"; rc=$?
[ "$rc" -eq 0 ] || fail "county serve with a pusher did not stop cleanly on SIGTERM: exit $rc"
echo "ok: county pushes (CLI and plumb serve), serve route, verify --witness, forks refused with the state unchanged"
