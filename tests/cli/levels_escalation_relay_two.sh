#!/usr/bin/env bash
# levels_escalation_relay_two.sh — the two relays with two counties below
# one prefecture (docs/LEVELS.md §9 "The relay" step 3, "The relay up"):
# county.example/c1 and county.example/c2 each send their clue up by
# their relay up (--escalation-up, interval 1 s; `plumb escalate` only),
# and the prefecture's relay down (--escalation-down, two down lines)
# sends each county the status of its own clue. c2 goes first: the status
# of c2's clue is a reason to send c2 something, not c1; when c1's clue
# comes later, c1's first bundle must start where c1's import expects it
# (its next seq, 0: it has received nothing), not past it (a gap, 409).
# Each county's `escalation list` comes to read its own clue routed above,
# and only its own. Every wait is a poll with a bound, never a time
# asserted.
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
EX="$SRC/examples"
export PLUMB_LANG=en
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
cd "$T" || exit 2
fail() { echo "FAIL: $*"; for f in plog c1log c2log; do [ -s $f ] && { echo "--- $f"; tail -8 $f; }; done; exit 1; }
q() { sqlite3 "$1" "$2"; }
wait_port() { for _ in $(seq 1 300); do [ -s "$1" ] && return 0; sleep 0.02; done; return 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

mkdir -p porg/org
cat >porg/org/01_units.csv <<'CSV'
id,parent_id,name,division_code,level,kind,industry
PU,,中共湘西州委,4331,prefecture,party,党委
PD,PU,湘西州纪委监委,4331,prefecture,discipline,纪检
CSV
"$P" init --db p.db --origin pref.example/4331 >initp.out || fail "init p"
"$P" import --all porg --db p.db --quiet >/dev/null || fail "import p"
PLV=$(tail -n 1 initp.out)
for c in c1 c2; do
    "$P" init --db $c.db --origin county.example/$c >init$c.out || fail "init $c"
    "$P" import --all "$EX" --db $c.db --quiet >/dev/null || fail "import $c"
done
"$P" keygen --name pref.example/witness --out wp.key >/dev/null || fail "keygen wp"
WP=$("$P" witness vkey --key wp.key) || fail "vkey wp"
"$P" keygen --name county.example/c1-witness --out wc.key >/dev/null || fail "keygen wc"
WC=$("$P" witness vkey --key wc.key) || fail "vkey wc"
PK=$("$P" escalation keygen --out esc.key) || fail "escalation keygen"
echo "pref.example/4331 $PK 湘西州纪委" >above.conf
printf 'county.example/c1 %s\ncounty.example/c2 %s\n' "$(tail -n 1 initc1.out)" "$(tail -n 1 initc2.out)" >clogs.conf
echo "pref.example/4331 $PLV" >plogs.conf

C1PORT=$(free_port)
C2PORT=$(free_port)
# The prefecture: witness of both counties' logs, their bundles, the relay
# down to both. Its own log is witnessed by c1's server, trusted by both.
printf 'witness %s http://127.0.0.1:%s/witness\ndown county.example/c1 http://127.0.0.1:%s\ndown county.example/c2 http://127.0.0.1:%s\n' \
    "$WC" "$C1PORT" "$C1PORT" "$C2PORT" >down.conf
"$P" serve --db p.db --port 0 --port-file pport --quiet \
    --witness-state wpst --witness-key wp.key --witness-logs clogs.conf \
    --bundle-origins clogs.conf --bundle-witness "$WP" \
    --escalation-key esc.key --escalation-office PD \
    --escalation-down down.conf --escalation-interval 1 2>plog &
PIDS+=($!)
wait_port pport || fail "the prefecture's server did not start"
PURL="http://127.0.0.1:$(cat pport)"
printf 'witness %s %s/witness\nup pref.example/4331 %s %s\n' "$WP" "$PURL" "$PLV" "$PURL" >up.conf
"$P" serve --db c1.db --port "$C1PORT" --port-file c1port --quiet \
    --witness-state wcst --witness-key wc.key --witness-logs plogs.conf \
    --bundle-origins plogs.conf --bundle-witness "$WC" \
    --escalation-up up.conf --escalation-interval 1 2>c1log &
PIDS+=($!)
wait_port c1port || fail "c1's server did not start"
"$P" serve --db c2.db --port "$C2PORT" --port-file c2port --quiet \
    --bundle-origins plogs.conf --bundle-witness "$WC" \
    --escalation-up up.conf --escalation-interval 1 2>c2log &
PIDS+=($!)
wait_port c2port || fail "c2's server did not start"

escalate() { # $1 county → the clue id
    local out cl
    out=$("$P" clue add --db $1.db --channel letter --category money \
        --subject-person 43312719700315011X --summary "反映县委书记违规收受礼金 ($1)" \
        --facts "县委书记春节期间收受下属单位礼金" 2>&1) || fail "clue add $1: $out"
    cl=$(sed -n 's/^registered clue //p' <<<"$out")
    "$P" escalate "$cl" --above above.conf --db $1.db >/dev/null || fail "escalate $1"
    echo "$cl"
}
routed() { # $1 county, $2 its clue: its list comes to read "routed" above
    for _ in $(seq 1 120); do
        "$P" escalation list --db $1.db >$1.list 2>&1 && grep -q "^$2 .*: routed$" $1.list && return 0
        sleep 0.5
    done
    return 1
}
CL2=$(escalate c2)
routed c2 "$CL2" || fail "c2 never saw its clue routed above: $(cat c2.list)"
# c1 has received nothing: its import expects seq 0 first.
CL1=$(escalate c1)
routed c1 "$CL1" || fail "c1 never saw its clue routed above: $(cat c1.list)"
# Each county's list holds its own clue only (the escalation/v1 policy).
[ "$(wc -l <c1.list)" = 1 ] && [ "$(wc -l <c2.list)" = 1 ] || fail "lists: $(cat c1.list c2.list)"
grep -q '"msg":"escalation relay: send failed"' plog && fail "a bundle down was refused: $(grep 'send failed' plog)"
# Both clues came up by the relays, one bundle chain per county.
[ "$(q p.db "SELECT count(*) FROM escalations_in")" = 2 ] || fail "the prefecture holds $(q p.db "SELECT count(*) FROM escalations_in") clues"
for c in c1 c2; do
    grep -q '"msg":"escalation relay up: bundle sent","origin":"pref.example/4331","from":0,' ${c}log ||
        fail "$c sent no bundle up from 0"
done
echo "ok"
