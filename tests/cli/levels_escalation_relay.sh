#!/usr/bin/env bash
# levels_escalation_relay.sh — the status of an escalated clue flows down
# with no manual sync (issue #21 item 4, docs/LEVELS.md §9 "The relay",
# docs/OPERATIONS.md): two `plumb serve` over HTTP, a county
# (county.example/c1) and its prefecture (pref.example/4331), the
# prefecture's with --escalation-down (interval 1 s). The county escalates
# a clue about its party secretary and sends its bundle up; then, with no
# `escalation sync`, `checkpoint push`, `bundle export` or `bundle send`
# run for the way down:
#  1. the county's API (GET /api/v1/levels/escalations) comes to show the
#     clue accepted (then routed: the intake routes it) above, with the
#     prefecture's clue number;
#  2. the county's server is stopped; the prefecture handles the clue; the
#     relay fails and backs off (retry_in 2, then 4: interval × 2^failures),
#     logging no secret;
#  3. the county's server comes back; the county's API comes to show
#     "已移送湘西州纪委（上级线索 …）：已办结（第一种形态）";
#  4. POST /api/v1/cases/{id}/escalate (the web's 报送上级) on the county's
#     server: 403 without case:handle, 404 out of scope, 409
#     no_level_above without --escalation-above; SIGTERM stops the
#     prefecture's server (relay thread included) with exit 0;
#  4b. the prefecture's server restarted: the relay's next bundle starts
#     at the position the county acknowledged (recorded in the store), with
#     only the statuses added since; a recorded position past the end of
#     the log is reset to 0;
#  5. bad settings: each one line naming what is wrong, exit 1.
# Every wait is a poll with a bound (a count of tries), never a time
# asserted. Expected texts come from docs/LEVELS.md §9.
# On both engines (helpers/store_lib.sh, through helpers/escalation_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/cli/helpers/escalation_lib.sh"
esc_begin plog c1log

# ------------------------------------------------------------ setup
esc_setup

# The county: witnesses the prefecture's log, takes its status bundles.
start_county() { # $1: port
    rm -f c1port
    esc_county "$1" c1port c1log "the county's server did not start" --db "$DB_c1" --
}
start_county 0
C1PORT=$(cat c1port)
C1URL="http://127.0.0.1:$C1PORT"
# The prefecture: the county's witness, its bundles and escalated clues, and
# the relay down to it (every second).
esc_down_conf "$C1URL" county.example/c1 "$C1URL"
esc_prefecture pport plog "the prefecture's server did not start" --db "$DB_p"

# A county user to read the API with (TOTP as docs/SECURITY.md), whose
# scope holds the clue: the escalations list follows the caller's scope.
PW='Correct-Horse-9battery'
uout=$(echo "$PW" | "$P" user add lisi --role discipline_officer --scope U001 --password-stdin --db "$DB_c1" --actor test 2>&1) ||
    fail "user add: $uout"
S1=$(printf '%s\n' "$uout" | sed -n 's/^totp_secret: //p')
login() {
    local code
    code=$(cd "$SRC/tests/api" && node --input-type=module -e \
        "import {totp} from './lib.mjs'; console.log(totp('$S1', Math.floor(Date.now() / 1000)))") || fail "totp"
    status=$(curl -sS -c jar -o login.json -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"lisi\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$C1URL/api/v1/auth/login")
    [ "$status" = 200 ] || fail "login: $status $(cat login.json)"
}
login
# Poll the county's API until the python check $1 holds (at most $2 tries, 0.5 s apart).
poll() {
    for _ in $(seq 1 "$2"); do
        curl -sS -b jar -o esc.json "$C1URL/api/v1/levels/escalations" 2>/dev/null &&
            python3 -c "import json, sys; i = json.load(open('esc.json'))['items']; sys.exit(0 if ($1) else 1)" \
                2>/dev/null && return 0
        sleep 0.5
    done
    return 1
}

# ------------------------------------------- the clue goes up (by hand)
out=$("$P" clue add --db "$DB_c1" --channel letter --category money \
    --subject-person 43312719700315011X --summary 反映县委书记违规收受礼金 \
    --facts "县委书记王建国春节期间收受下属单位礼金" 2>&1) || fail "clue add: $out"
CL=$(sed -n 's/^registered clue //p' <<<"$out")
"$P" escalate "$CL" --above above.conf --db "$DB_c1" >/dev/null || fail "escalate"
"$P" checkpoint push --db "$DB_c1" --witness "$WP" --url "$PURL/witness" >/dev/null || fail "push c1"
"$P" bundle export --db "$DB_c1" --witness-vkey "$WP" --since 0 --out c1.bundle >/dev/null || fail "export c1"
out=$("$P" bundle send c1.bundle --url "$PURL" --receiver-vkey "$PLV" 2>&1) || fail "send c1: $out"
PCL=$(q "$DB_p" "SELECT clue_id FROM escalations_in WHERE origin_clue_id='$CL'")
[ -n "$PCL" ] || fail "the prefecture did not take the clue in"

# ------------------------------------------- 1. accepted, with no sync
poll "len(i) == 1 and i[0]['clue_id'] == '$CL' and i[0]['upper_clue_id'] == '$PCL' and i[0]['status'] in ('accepted', 'routed')" 120 ||
    fail "the county never saw the clue accepted above: $(cat esc.json)"
python3 -c "
import json; i = json.load(open('esc.json'))['items'][0]
assert i['text_en'] in ('transferred to 湘西州纪委 (their clue $PCL): accepted above',
                     'transferred to 湘西州纪委 (their clue $PCL): routed'), i
assert i['updated_at'], i
" || fail "accepted: $(cat esc.json)"

# ------------------------------------------- 2. the county is away: back off
kill "$CPID"; wait "$CPID" 2>/dev/null
PP() { "$P" "$@" --db "$DB_p"; }
PP clue dispose "$PCL" --method preliminary_verification --reason 问题具体可查 >/dev/null || fail "dispose"
PP clue conclude "$PCL" --outcome form1 --measure criticism --reason 州纪委认定属实 >/dev/null ||
    fail "conclude"
esc_retry 120 grep -q '"retry_in":4}' plog
grep -q '"msg":"escalation relay: checkpoint failed","origin":"county.example/c1".*"retry_in":2}' plog ||
    fail "no first failure (retry_in 2) logged"
grep -q '"retry_in":4}' plog || fail "no backoff to 4 s after the second failure"
# The log names origins, sizes and URLs, never a key.
while read -r k; do
    [ ${#k} -ge 32 ] && grep -qF -- "$k" plog && fail "a secret is in the log"
done < <(cat esc.key "$(store_side "$DB_p" key)")

# ------------------------------------------- 3. back: concluded, with no sync
start_county "$C1PORT" # the session is kept in the store: no new login (its TOTP code is spent)
poll "i[0]['status'] == 'concluded'" 240 || fail "the conclusion never came down: $(cat esc.json)"
python3 -c "
import json; i = json.load(open('esc.json'))['items'][0]
assert i['outcome'] == 'form1' and i['measure'] == 'criticism', i
assert i['text_zh'] == '已移送湘西州纪委（上级线索 $PCL）：已办结（第一种形态）', i
" || fail "concluded: $(cat esc.json)"
grep -q '"msg":"escalation relay: status sent","origin":"county.example/c1"' plog || fail "no 'status sent' logged"
# ------------------------- POST /api/v1/cases/{id}/escalate: role, scope, settings
# (docs/LEVELS.md §9 "The clue page"): a role without case:handle 403; a
# discipline officer whose scope does not hold the clue 404 (the clue's
# existence not told); one who sees it 409 no_level_above, since this
# server has no --escalation-above; nothing written.
as_user() { # $1 name, $2 role, $3 scope → cookie jar $1.jar, CSRF token in $1.csrf
    local o sec code
    o=$(echo "$PW" | "$P" user add "$1" --role "$2" --scope "$3" --password-stdin --db "$DB_c1" --actor test 2>&1) ||
        fail "user add $1: $o"
    sec=$(printf '%s\n' "$o" | sed -n 's/^totp_secret: //p')
    code=$(cd "$SRC/tests/api" && node --input-type=module -e \
        "import {totp} from './lib.mjs'; console.log(totp('$sec', Math.floor(Date.now() / 1000)))") || fail "totp"
    [ "$(curl -sS -c "$1.jar" -o "$1.login" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$C1URL/api/v1/auth/login")" = 200 ] ||
        fail "login $1: $(cat "$1.login")"
    python3 -c "import json; print(json.load(open('$1.login'))['csrf_token'])" >"$1.csrf"
}
esc_post() { # $1 user → status; body in $1.out
    curl -sS -b "$1.jar" -o "$1.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -H "X-CSRF-Token: $(cat "$1.csrf")" -d '{}' "$C1URL/api/v1/cases/$CL/escalate"
}
as_user wang cadre_officer U001
st=$(esc_post wang); [ "$st" = 403 ] || fail "cadre_officer: $st $(cat wang.out)"
as_user zhao discipline_officer U002
st=$(esc_post zhao); [ "$st" = 404 ] || fail "out of scope: $st $(cat zhao.out)"
as_user qian discipline_officer U001
st=$(esc_post qian)
[ "$st" = 409 ] && grep -q '"code":"no_level_above"' qian.out || fail "no --escalation-above: $st $(cat qian.out)"
# Each login is an event; no escalation.sent was added.
[ "$(q "$DB_c1" "SELECT count(*) FROM ledger_events WHERE type = 'escalation.sent'")" = 1 ] || fail "an escalation was written"

# ------------------------------------------- 4. clean shutdown
kill -TERM "$PPID_"
for _ in $(seq 1 200); do kill -0 "$PPID_" 2>/dev/null || break; sleep 0.05; done
kill -0 "$PPID_" 2>/dev/null && fail "the prefecture's server did not stop on SIGTERM"
wait "$PPID_"; rc=$?
[ "$rc" = 0 ] || fail "the prefecture's server exited $rc"
"$P" verify --db "$DB_p" >/dev/null || fail "verify p"
"$P" verify --db "$DB_c1" >/dev/null || fail "verify c1"

# ------------------- 4b. a restart goes on from the acknowledged seq
# (docs/LEVELS.md §9 "After a restart"): the position the county
# acknowledged is in the prefecture's store (escalation_relay_acks), the
# `to` of the last bundle sent; the restarted relay's next bundle starts
# there (from > 0) and carries only the statuses added since.
ACK=$(q "$DB_p" "SELECT acked FROM escalation_relay_acks WHERE origin = 'county.example/c1'")
LASTTO=$(grep '"msg":"escalation relay: status sent"' plog | tail -n 1 | sed 's/.*"to":\([0-9]*\).*/\1/')
[ -n "$ACK" ] && [ "$ACK" = "$LASTTO" ] && [ "$ACK" -gt 0 ] ||
    fail "recorded position '$ACK', last bundle sent to '$LASTTO'"
esc_prefecture pport2 plog2 "the prefecture's server did not restart" --db "$DB_p"
# A second clue goes up: its acceptance and routing are the new statuses.
out=$("$P" clue add --db "$DB_c1" --channel letter --category money \
    --subject-person 43312719700315011X --summary 反映县委书记违规插手工程 \
    --facts "县委书记王建国为亲属承揽工程打招呼" 2>&1) || fail "clue add 2: $out"
CL2=$(sed -n 's/^registered clue //p' <<<"$out")
"$P" escalate "$CL2" --above above.conf --db "$DB_c1" >/dev/null || fail "escalate 2"
"$P" checkpoint push --db "$DB_c1" --witness "$WP" --url "$PURL/witness" >/dev/null || fail "push c1 2"
SINCE=$(sed -n 2p c1.bundle | python3 -c "import json, sys; print(json.load(sys.stdin)['to'])")
"$P" bundle export --db "$DB_c1" --witness-vkey "$WP" --since "$SINCE" --out c1b.bundle >/dev/null || fail "export c1 2"
out=$("$P" bundle send c1b.bundle --url "$PURL" --receiver-vkey "$PLV" 2>&1) || fail "send c1 2: $out"
PCL2=$(q "$DB_p" "SELECT clue_id FROM escalations_in WHERE origin_clue_id='$CL2'")
[ -n "$PCL2" ] || fail "the prefecture did not take the second clue in"
poll "len(i) == 2 and any(x['clue_id'] == '$CL2' and x['upper_clue_id'] == '$PCL2' and x['status'] == 'routed' for x in i)" 120 ||
    fail "the county never saw the second clue routed above: $(cat esc.json)"
sent=$(grep '"msg":"escalation relay: status sent"' plog2)
[ -n "$sent" ] || fail "nothing sent after the restart"
FROM=$(head -n 1 <<<"$sent" | sed 's/.*"from":\([0-9]*\).*/\1/')
[ "$FROM" = "$ACK" ] || fail "after the restart the first bundle is from $FROM, not the acknowledged $ACK"
EVENTS=$(sed 's/.*"events":\([0-9]*\).*/\1/' <<<"$sent" | paste -sd+ | bc)
# The new statuses: the status events of the log at or after that seq (one
# level below here, so all of them are for it).
NEW=$(q "$DB_p" "SELECT count(*) FROM ledger_events WHERE seq >= $ACK AND type IN ('escalation.accepted', 'escalation.status')")
[ "$NEW" -ge 2 ] || fail "only $NEW new statuses"
[ "$EVENTS" = "$NEW" ] || fail "after the restart $EVENTS events sent, the new statuses are $NEW"
kill -TERM "$PPID_"; wait "$PPID_" || fail "the restarted prefecture's server exited $?"
# A recorded position past the end of the log (a store restored from an
# older backup) is not trusted: that level starts again at 0, logged.
q "$DB_p" "UPDATE escalation_relay_acks SET acked = 1000000 WHERE origin = 'county.example/c1'"
esc_prefecture pport3 plog3 "the prefecture's server did not restart (3)" --db "$DB_p"
esc_retry 120 grep -q '"msg":"escalation relay: status sent"' plog3
grep -q '"msg":"escalation relay: recorded position past the log, starting from 0","origin":"county.example/c1","acked":1000000' plog3 ||
    fail "a position past the log was not reported: $(cat plog3)"
grep -q '"msg":"escalation relay: status sent","origin":"county.example/c1","from":0,' plog3 ||
    fail "a position past the log was not reset to 0: $(cat plog3)"
kill -TERM "$PPID_"; wait "$PPID_" || fail "the restarted prefecture's server exited $?"
[ "$(q "$DB_p" "SELECT acked FROM escalation_relay_acks WHERE origin = 'county.example/c1'")" -lt 1000000 ] ||
    fail "the position past the log was kept"

# ------------------------------------------- 5. bad settings
bad() { # $1: expected message; rest: serve options
    local want=$1; shift
    out=$("$P" serve --db "$DB_p" --port 0 --quiet "$@" 2>&1) && fail "serve accepted: $*"
    [ "$(wc -l <<<"$out")" -le 3 ] && grep -qF -- "$want" <<<"$out" || fail "serve $*: $out"
}
bad "--escalation-down needs --bundle-origins" --escalation-down down.conf
printf 'witness %s %s/witness\ndown county.example/c9 %s\n' "$WC" "$C1URL" "$C1URL" >down9.conf
bad "down9.conf line 2: origin county.example/c9 is not in --bundle-origins" \
    --bundle-origins clogs.conf --bundle-witness "$WP" --escalation-down down9.conf
printf 'down county.example/c1 %s\n' "$C1URL" >downw.conf
bad "downw.conf: needs at least one witness line and one down line" \
    --bundle-origins clogs.conf --bundle-witness "$WP" --escalation-down downw.conf
bad "--escalation-interval: must be an integer in [0, 86400]" --escalation-interval x
echo "ok"
