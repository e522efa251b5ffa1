#!/bin/bash
# pg_levels_escalation_relay_up.sh — the relay up of `plumb serve
# --escalation-up` (docs/LEVELS.md §9 "The relay up") with the county on
# PostgreSQL: a clue escalated by `plumb escalate` reaches the prefecture
# (SQLite) by the county's relay (checkpoint signed with the key in
# --state-dir, cosigned by the prefecture's witness, supervisor/v1 bundle,
# receipt checked) with no export or send run; the prefecture concludes it
# and its relay down brings the status back; the county's `escalation
# list` comes to read "concluded (form 1)". After a restart of the
# county's server the next bundle starts at the position the prefecture
# acknowledged (recorded on PostgreSQL). Every query the relay up runs on
# the county's store (the pending selection, the acknowledged positions,
# the export) runs on PostgreSQL here; tests/cli/levels_escalation_relay_up.sh
# has the wake, the failures and the bad settings on SQLite.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
P=$PLUMB SRC=$PLUMB_SRC
. "$SRC/tests/cli/helpers/escalation_lib.sh"
esc_pg_begin pg_relay_up_c plog clog clog2
c() { "$PLUMB" "$@" --db "$U" --state-dir "$T/cst"; }
csql() { "$PLUMB" sql --db "$U" --state-dir "$T/cst" "$1"; }

esc_porg
esc_store PLV p pref.example/4331 porg
c init --origin county.example/pgc >init1.out 2>&1 || fail "init county: $(cat init1.out)"
LV1=$(tail -n 1 init1.out)
c import --all "$EX" --quiet >imp 2>&1 || fail "import c: $(cat imp)"
esc_keys pref.example/4331 county.example/pgc-witness
echo "county.example/pgc $LV1" >clogs.conf
echo "pref.example/4331 $PLV" >plogs.conf

CPORT=$(free_port)
CURL="http://127.0.0.1:$CPORT"
esc_down_conf "$CURL" county.example/pgc "$CURL"
esc_prefecture pport plog "the prefecture's server did not start" --db p.db
esc_up_conf up.conf "$PLV" "$PURL"
start_county() { # $1 port file, $2 log
    esc_county "$CPORT" "$1" "$2" "the county's server did not start ($1)" --db "$U" --state-dir "$T/cst" -- \
        --escalation-up up.conf --escalation-interval 1
}
start_county cport clog

# A clue sent up by `plumb escalate` (another process: the relay's next
# round sends it); no export, no send.
out=$(c clue add --channel letter --category money --subject-person 43312719700315011X \
    --summary 反映县委书记 --facts "县委书记收受礼金" 2>&1) || fail "clue add: $out"
CL=$(sed -n 's/^registered clue //p' <<<"$out")
c escalate "$CL" --above above.conf >/dev/null || fail "escalate"
esc_taken_in 240 "$CL"
"$PLUMB" clue dispose "$PCL" --db p.db --method preliminary_verification --reason 问题具体可查 >/dev/null || fail "dispose"
"$PLUMB" clue conclude "$PCL" --db p.db --outcome form1 --measure criticism --reason 属实 >/dev/null || fail "conclude"
want="$CL  transferred to 湘西州纪委 (their clue $PCL): concluded (form 1)"
reads() { [ "$(c escalation list 2>/dev/null)" = "$1" ]; }
esc_retry 240 reads "$want"
out=$(c escalation list)
[ "$out" = "$want" ] || fail "the county reads: $out"
kill -TERM "$CPID"
wait "$CPID"; rc=$?
[ "$rc" = 0 ] || fail "the county's server exited $rc"
c verify >/dev/null 2>&1 || fail "verify c"

# The acknowledged position, on PostgreSQL, is the last bundle's `to` and
# what the prefecture expects next.
ACK=$(csql "SELECT acked FROM escalation_relay_acks WHERE origin = 'pref.example/4331'")
LASTTO=$(grep '"msg":"escalation relay up: bundle sent"' clog | tail -n 1 | sed 's/.*"to":\([0-9]*\).*/\1/')
[ -n "$ACK" ] && [ "$ACK" = "$LASTTO" ] && [ "$ACK" -gt 0 ] || fail "recorded position '$ACK', last sent to '$LASTTO'"
[ "$(q p.db "SELECT next_seq FROM levels_origins WHERE origin = 'county.example/pgc'")" = "$ACK" ] ||
    fail "the prefecture expects another seq than $ACK"
# A second clue while the server is down; the restarted relay's first
# bundle starts at the acknowledged seq.
out=$(c clue add --channel letter --category money --subject-person 43312719700315011X \
    --summary 反映县委书记插手工程 --facts "县委书记为亲属承揽工程打招呼" 2>&1) || fail "clue add 2: $out"
CL2=$(sed -n 's/^registered clue //p' <<<"$out")
c escalate "$CL2" --above above.conf >/dev/null || fail "escalate 2"
start_county cport2 clog2
routed() { c escalation list 2>/dev/null | grep -q "^$1 .*: routed$"; }
esc_retry 240 routed "$CL2"
c escalation list | grep -q "^$CL2 .*: routed$" || fail "the county reads: $(c escalation list)"
sent=$(grep '"msg":"escalation relay up: bundle sent"' clog2) || fail "nothing sent after the restart"
FROM=$(head -n 1 <<<"$sent" | sed 's/.*"from":\([0-9]*\).*/\1/')
[ "$FROM" = "$ACK" ] || fail "after the restart the first bundle is from $FROM, not the acknowledged $ACK"
kill -TERM "$CPID"
wait "$CPID"; rc=$?
[ "$rc" = 0 ] || fail "the county's restarted server exited $rc"
echo ok
