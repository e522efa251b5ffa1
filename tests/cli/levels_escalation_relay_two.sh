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
# asserted. On both engines (helpers/store_lib.sh, through
# helpers/escalation_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/cli/helpers/escalation_lib.sh"
esc_begin plog c1log c2log

esc_porg
esc_store PLV p pref.example/4331 porg
esc_store LV1 c1 county.example/c1 "$EX"
esc_store LV2 c2 county.example/c2 "$EX"
esc_keys pref.example/4331 county.example/c1-witness
printf 'county.example/c1 %s\ncounty.example/c2 %s\n' "$LV1" "$LV2" >clogs.conf
echo "pref.example/4331 $PLV" >plogs.conf

C1PORT=$(free_port)
C2PORT=$(free_port)
# The prefecture: witness of both counties' logs, their bundles, the relay
# down to both. Its own log is witnessed by c1's server, trusted by both.
esc_down_conf "http://127.0.0.1:$C1PORT" county.example/c1 "http://127.0.0.1:$C1PORT" \
    county.example/c2 "http://127.0.0.1:$C2PORT"
esc_prefecture pport plog "the prefecture's server did not start" --db "$DB_p"
esc_up_conf up.conf "$PLV" "$PURL"
esc_county "$C1PORT" c1port c1log "c1's server did not start" --db "$DB_c1" -- \
    --escalation-up up.conf --escalation-interval 1
"$P" serve --db "$DB_c2" --port "$C2PORT" --port-file c2port --quiet \
    --bundle-origins plogs.conf --bundle-witness "$WC" \
    --escalation-up up.conf --escalation-interval 1 2>c2log &
PIDS+=($!)
wait_port c2port || fail "c2's server did not start"

escalate() { # $1 county → the clue id
    local out cl db=DB_$1
    out=$("$P" clue add --db "${!db}" --channel letter --category money \
        --subject-person 43312719700315011X --summary "反映县委书记违规收受礼金 ($1)" \
        --facts "县委书记春节期间收受下属单位礼金" 2>&1) || fail "clue add $1: $out"
    cl=$(sed -n 's/^registered clue //p' <<<"$out")
    "$P" escalate "$cl" --above above.conf --db "${!db}" >/dev/null || fail "escalate $1"
    echo "$cl"
}
routed_now() { local db=DB_$1; "$P" escalation list --db "${!db}" >$1.list 2>&1 && grep -q "^$2 .*: routed$" $1.list; }
routed() { esc_retry 120 routed_now "$@"; } # $1 county, $2 its clue: its list comes to read "routed" above
CL2=$(escalate c2)
routed c2 "$CL2" || fail "c2 never saw its clue routed above: $(cat c2.list)"
# c1 has received nothing: its import expects seq 0 first.
CL1=$(escalate c1)
routed c1 "$CL1" || fail "c1 never saw its clue routed above: $(cat c1.list)"
# Each county's list holds its own clue only (the escalation/v1 policy).
[ "$(wc -l <c1.list)" = 1 ] && [ "$(wc -l <c2.list)" = 1 ] || fail "lists: $(cat c1.list c2.list)"
grep -q '"msg":"escalation relay: send failed"' plog && fail "a bundle down was refused: $(grep 'send failed' plog)"
# Both clues came up by the relays, one bundle chain per county.
[ "$(q "$DB_p" "SELECT count(*) FROM escalations_in")" = 2 ] || fail "the prefecture holds $(q "$DB_p" "SELECT count(*) FROM escalations_in") clues"
for c in c1 c2; do
    grep -q '"msg":"escalation relay up: bundle sent","origin":"pref.example/4331","from":0,' ${c}log ||
        fail "$c sent no bundle up from 0"
done
echo "ok"
