#!/bin/bash
# pg_two_serve.sh — two `plumb serve` on one PostgreSQL database writing at
# once (issue #20, "What it must show"): four API clients create units,
# each request sent to the two servers in turn, so both append to the one
# ledger at the same time. Afterwards:
#  - one ledger: seq runs 0..n-1 with no gap and no repeat (count = max+1,
#    min 0), and `plumb verify` is clean (the replay rebuilds every
#    projection row from the ledger, so a fork or a lost event shows);
#  - every write answered 201 is there: its unit row, and exactly one
#    ledger event naming it; no unit has two;
#  - no answer other than 201 (a 503 sent again is allowed: the advisory
#    lock waits at most lock_timeout).
# What makes it hold: the ledger's writer lock (pg_advisory_xact_lock in the
# append transaction, src/store/pg.c) and the append that refuses a row
# not extending the stored ledger by one. Layer: tests/cli (ledger, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
S1= S2=
cleanup() {
    for p in $S1 $S2; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
cd "$T" || exit 2
EX=$PLUMB_SRC/examples
CLIENTS=${CLIENTS:-4} WRITES=${WRITES:-25}
U=$(pg_db pg_two_serve) || exit 1
export PLUMB_STATE_DIR=$T/state
"$PLUMB" init --db "$U" >init.out 2>&1 || fail "init: $(cat init.out)"
"$PLUMB" import --db "$U" --all "$EX" --as-of 2026-03-01 --quiet >imp.out 2>&1 ||
    fail "import: $(cat imp.out)"
ROOT=$(tail -n +2 "$EX/org/01_units.csv" | tr -d '\r\357\273\277' | awk -F, '$2 == "" { print $1; exit }')
[ -n "$ROOT" ] || fail "no root unit in the examples"
out=$(echo 'Correct-Horse-9battery' | "$PLUMB" user add cadre --role cadre_officer --scope "$ROOT" \
    --password-stdin --db "$U" --actor test) || fail "user add: $out"
SECRET=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
before=$("$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events")

start() { # start N: a server, its port in port.N
    "$PLUMB" serve --db "$U" --port 0 --port-file "port.$1" --quiet \
        --rate-ip 0 --rate-user 0 --rate-login 0 2>"serve.$1.log" &
    eval "S$1=\$!"
}
start 1
start 2
for _ in $(seq 1 400); do [ -s port.1 ] && [ -s port.2 ] && break; sleep 0.05; done
[ -s port.1 ] && [ -s port.2 ] || fail "servers did not start: $(cat serve.*.log)"
B1="http://127.0.0.1:$(cat port.1)" B2="http://127.0.0.1:$(cat port.2)"

node "$PLUMB_SRC/tests/cli/pg_ha_writers.mjs" res.json cadre "$SECRET" "$ROOT" "$CLIENTS" "$WRITES" \
    "$T/stop" W "$B1" "$B2" || fail "writers: $(cat serve.*.log)"
for p in $S1 $S2; do kill "$p" && wait "$p"; done
S1= S2=

q() { "$PLUMB" sql --db "$U" "$1"; }
node -e '
const r = JSON.parse(require("fs").readFileSync("res.json"));
if (r.wrong.length) { console.log("FAIL: wrong answers: " + r.wrong.slice(0, 5).join(" | ")); process.exit(1); }
require("fs").writeFileSync("acked", r.acked.concat(r.committed_unacked).sort().join("\n") + "\n");
console.log(`writes: ${r.acked.length} answered 201, ${r.committed_unacked.length} stored but answered 503, ${r.busy503} answers 503`);
' || fail "$(cat serve.*.log | tail -5)"
[ "$(wc -l <acked)" = $((CLIENTS * WRITES)) ] || fail "$(wc -l <acked) writes stored, want $((CLIENTS * WRITES))"

# One ledger, no gap, no repeat.
[ "$(q "SELECT count(*) = max(seq) + 1 AND min(seq) = 0 FROM ledger_events")" = 1 ] ||
    fail "ledger not contiguous: $(q "SELECT count(*), min(seq), max(seq) FROM ledger_events")"
n=$(q "SELECT count(*) FROM ledger_events")
[ "$n" -ge $((before + CLIENTS * WRITES)) ] || fail "ledger has $n events, want >= $((before + CLIENTS * WRITES))"
# Each acknowledged unit: its row, and one event naming it (no write twice).
q "SELECT id FROM units WHERE id LIKE 'W%' ORDER BY id" >rows
LC_ALL=C sort acked >a.s && LC_ALL=C sort rows >r.s
cmp -s a.s r.s || fail "units differ from the acknowledged writes: $(diff a.s r.s | head -5)"
q "SELECT payload FROM ledger_events WHERE payload LIKE '%\"W%'" |
    grep -o '"id":"W[0-9]*_[0-9]*"' | LC_ALL=C sort | uniq -c | awk '$1 != 1' >dups
[ ! -s dups ] || fail "units written more than once: $(head -3 dups)"
[ "$(q "SELECT payload FROM ledger_events WHERE payload LIKE '%\"W%'" |
    grep -o '"id":"W[0-9]*_[0-9]*"' | sort -u | wc -l)" = $((CLIENTS * WRITES)) ] ||
    fail "not one ledger event per unit"
# Neither server logged an error (the requests alternate between them).
for k in 1 2; do
    grep -q . "serve.$k.log" 2>/dev/null && grep -qi 'error' "serve.$k.log" &&
        fail "server $k logged an error: $(grep -i error "serve.$k.log" | head -3)"
done
"$PLUMB" verify --db "$U" >verify.out 2>&1 || fail "verify: $(tail -5 verify.out)"
echo "ok: two servers, $CLIENTS clients, $n events in one contiguous ledger, verify clean"
