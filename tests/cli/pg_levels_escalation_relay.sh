#!/bin/bash
# pg_levels_escalation_relay.sh — the relay of `plumb serve
# --escalation-down` (docs/LEVELS.md §9 "The relay") with the prefecture on
# PostgreSQL: its server syncs, checkpoints (key in --state-dir), has the
# checkpoint cosigned by the county's witness and sends the status down to
# the county's server (SQLite) with no command run for the way down; the
# county's `escalation list` comes to read "concluded (form 1)"; after a
# restart the next bundle starts at the position the county acknowledged
# (recorded on PostgreSQL), with only the new statuses. Every new
# query of src/http/escalation_http.c runs on PostgreSQL here;
# tests/cli/levels_escalation_relay.sh has the backoff, the logs and the
# bad settings on SQLite.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
P=$PLUMB SRC=$PLUMB_SRC
. "$SRC/tests/cli/helpers/escalation_lib.sh"
esc_pg_begin pg_relay_p plog c1log
p() { "$PLUMB" "$@" --db "$U" --state-dir "$T/pst"; }

esc_porg
p init --origin pref.example/pgr >initp.out 2>&1 || fail "init prefecture: $(cat initp.out)"
PLV=$(tail -n 1 initp.out)
p import --all porg --quiet >imp 2>&1 || fail "import p: $(cat imp)"
esc_store LV1 c1 county.example/c1 "$EX"
esc_keys pref.example/pgr county.example/c1-witness
echo "county.example/c1 $LV1" >clogs.conf
echo "pref.example/pgr $PLV" >plogs.conf

esc_county 0 c1port c1log "the county's server did not start" --db c1.db --
C1URL="http://127.0.0.1:$(cat c1port)"
esc_down_conf "$C1URL" county.example/c1 "$C1URL"
esc_prefecture pport plog "the prefecture's server did not start" --db "$U" --state-dir "$T/pst"

out=$("$PLUMB" clue add --db c1.db --channel letter --category money --subject-person 43312719700315011X \
    --summary 反映县委书记 --facts "县委书记收受礼金" 2>&1) || fail "clue add: $out"
CL=$(sed -n 's/^registered clue //p' <<<"$out")
"$PLUMB" escalate "$CL" --above above.conf --db c1.db >/dev/null || fail "escalate"
"$PLUMB" checkpoint push --db c1.db --witness "$WP" --url "$PURL/witness" >/dev/null || fail "push c1"
"$PLUMB" bundle export --db c1.db --witness-vkey "$WP" --out up.bundle >/dev/null || fail "export"
out=$("$PLUMB" bundle send up.bundle --url "$PURL" --receiver-vkey "$PLV" 2>&1) || fail "send: $out"
PCL=$("$PLUMB" sql --db "$U" --state-dir "$T/pst" "SELECT clue_id FROM escalations_in WHERE origin_clue_id = '$CL'")
[ -n "$PCL" ] || fail "the prefecture did not take the clue in"
p clue dispose "$PCL" --method preliminary_verification --reason 问题具体可查 >/dev/null || fail "dispose"
p clue conclude "$PCL" --outcome form1 --measure criticism --reason 属实 >/dev/null || fail "conclude"
want="$CL  transferred to 湘西州纪委 (their clue $PCL): concluded (form 1)"
reads() { [ "$("$PLUMB" escalation list --db c1.db 2>/dev/null)" = "$1" ]; }
esc_retry 240 reads "$want"
out=$("$PLUMB" escalation list --db c1.db)
[ "$out" = "$want" ] || fail "the county reads: $out"
grep -q '"msg":"escalation relay: status sent","origin":"county.example/c1"' plog || fail "no 'status sent'"
kill -TERM "$PPID_"
wait "$PPID_"; rc=$?
[ "$rc" = 0 ] || fail "the prefecture's server exited $rc"
p verify >/dev/null 2>&1 || fail "verify p"

# A restart goes on from the acknowledged seq, recorded on PostgreSQL
# (escalation_relay_acks, migration 0133): the next bundle starts there and
# carries only the statuses of a second clue sent up after the restart.
ACK=$("$PLUMB" sql --db "$U" --state-dir "$T/pst" "SELECT acked FROM escalation_relay_acks WHERE origin = 'county.example/c1'")
LASTTO=$(grep '"msg":"escalation relay: status sent"' plog | tail -n 1 | sed 's/.*"to":\([0-9]*\).*/\1/')
[ -n "$ACK" ] && [ "$ACK" = "$LASTTO" ] && [ "$ACK" -gt 0 ] || fail "recorded position '$ACK', last sent to '$LASTTO'"
esc_prefecture pport2 plog2 "the prefecture's server did not restart" --db "$U" --state-dir "$T/pst"
out=$("$PLUMB" clue add --db c1.db --channel letter --category money --subject-person 43312719700315011X \
    --summary 反映县委书记插手工程 --facts "县委书记为亲属承揽工程打招呼" 2>&1) || fail "clue add 2: $out"
CL2=$(sed -n 's/^registered clue //p' <<<"$out")
"$PLUMB" escalate "$CL2" --above above.conf --db c1.db >/dev/null || fail "escalate 2"
"$PLUMB" checkpoint push --db c1.db --witness "$WP" --url "$PURL/witness" >/dev/null || fail "push c1 2"
SINCE=$(sed -n 2p up.bundle | python3 -c "import json, sys; print(json.load(sys.stdin)['to'])")
"$PLUMB" bundle export --db c1.db --witness-vkey "$WP" --since "$SINCE" --out up2.bundle >/dev/null || fail "export 2"
out=$("$PLUMB" bundle send up2.bundle --url "$PURL" --receiver-vkey "$PLV" 2>&1) || fail "send 2: $out"
routed() { "$PLUMB" escalation list --db c1.db 2>/dev/null | grep -q "^$1 .*: routed$"; }
esc_retry 240 routed "$CL2"
"$PLUMB" escalation list --db c1.db | grep -q "^$CL2 .*: routed$" || fail "the county reads: $("$PLUMB" escalation list --db c1.db)"
sent=$(grep '"msg":"escalation relay: status sent"' plog2) || fail "nothing sent after the restart"
FROM=$(head -n 1 <<<"$sent" | sed 's/.*"from":\([0-9]*\).*/\1/')
[ "$FROM" = "$ACK" ] || fail "after the restart the first bundle is from $FROM, not the acknowledged $ACK"
EVENTS=$(sed 's/.*"events":\([0-9]*\).*/\1/' <<<"$sent" | paste -sd+ | bc)
NEW=$("$PLUMB" sql --db "$U" --state-dir "$T/pst" "SELECT count(*) FROM ledger_events WHERE seq >= $ACK AND type IN ('escalation.accepted', 'escalation.status')")
[ "$NEW" -ge 2 ] && [ "$EVENTS" = "$NEW" ] || fail "after the restart $EVENTS events sent, the new statuses are $NEW"
kill -TERM "$PPID_"
wait "$PPID_"; rc=$?
[ "$rc" = 0 ] || fail "the prefecture's restarted server exited $rc"
echo ok
