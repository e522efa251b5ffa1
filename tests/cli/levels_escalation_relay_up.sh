#!/usr/bin/env bash
# levels_escalation_relay_up.sh — the relay up (issue #21 item 4,
# docs/LEVELS.md §9 "The relay up"): an escalated clue reaches the level
# above with no `checkpoint push`, `bundle export` or `bundle send`, and
# its status comes back down by the relay down: the whole round trip by
# the two relays. Two `plumb serve` over HTTP: a county (county.example/c1)
# with --escalation-up (and --escalation-above, the web's 报送上级) and its
# prefecture (pref.example/4331) with --escalation-down.
#  1. the county's relay up has a long interval (600 s: no round of its
#     own within the test); a clue escalated through the county's API
#     (POST /api/v1/cases/{id}/escalate) wakes it: the prefecture takes the
#     clue in, a discipline officer there disposes and concludes it, and
#     the county's `escalation list` comes to read "concluded (form 1)";
#     the position the prefecture acknowledged is in the county's store;
#  2. SIGTERM stops the county's server (relay thread included), exit 0;
#  3. an unreachable level above: the failure logged and retried (retry_in
#     2, then 4: interval × 2^failures), nothing acknowledged;
#  4. a wrong pinned log key of the level above: the bundle goes (the
#     receipt authenticates after the fact, §7 "Limit"), the receipt is
#     refused and logged, the position not acknowledged;
#  5. bad settings: each one line naming what is wrong, exit 1.
# No log line holds a secret. Every wait is a poll with a bound (a count of
# tries), never a time asserted. Expected texts come from docs/LEVELS.md §9.
# On both engines (helpers/store_lib.sh, through helpers/escalation_lib.sh).
set -u
P=${PLUMB:?set PLUMB to the plumb binary}
SRC=${PLUMB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$SRC/tests/cli/helpers/escalation_lib.sh"
esc_begin plog clog clog3 clog4
stop() { # $1 pid: SIGTERM, exit 0 within a bound
    kill -TERM "$1"
    for _ in $(seq 1 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$1" 2>/dev/null && fail "server $1 did not stop on SIGTERM"
    wait "$1" || fail "server $1 exited $?"
}

# ------------------------------------------------------------ setup
esc_setup

C1PORT=$(free_port)
C1URL="http://127.0.0.1:$C1PORT"
# The prefecture: the county's witness, its bundles and escalated clues,
# and the relay down to it (every second).
esc_down_conf "$C1URL" county.example/c1 "$C1URL"
esc_prefecture pport plog "the prefecture's server did not start" --db "$DB_p"
# The county: witnesses the prefecture's log, takes its status bundles,
# lets the web send a clue up, and relays its bundle up (the prefecture's
# witness cosigns its checkpoints; the receipts are checked with PLV).
# (A comment line first: the messages of 5. count it in their line numbers.)
esc_up_conf up.conf "$PLV" "$PURL"
sed -i '1i # the level above' up.conf
esc_county "$C1PORT" c1port clog "the county's server did not start" --db "$DB_c1" -- \
    --escalation-above above.conf --escalation-up up.conf --escalation-interval 600

# ------------------------- 1. escalated through the API: up, handled, down
out=$("$P" clue add --db "$DB_c1" --channel letter --category money \
    --subject-person 43312719700315011X --summary 反映县委书记违规收受礼金 \
    --facts "县委书记王建国春节期间收受下属单位礼金" 2>&1) || fail "clue add: $out"
CL=$(sed -n 's/^registered clue //p' <<<"$out")
[ -n "$CL" ] || fail "no clue id: $out"
PW='Correct-Horse-9battery'
o=$(echo "$PW" | "$P" user add qian --role discipline_officer --scope U001 --password-stdin --db "$DB_c1" --actor test 2>&1) ||
    fail "user add: $o"
sec=$(printf '%s\n' "$o" | sed -n 's/^totp_secret: //p')
code=$(cd "$SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$sec', Math.floor(Date.now() / 1000)))") || fail "totp"
[ "$(curl -sS -c qian.jar -o qian.login -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"qian\",\"password\":\"$PW\",\"totp\":\"$code\"}" "$C1URL/api/v1/auth/login")" = 200 ] ||
    fail "login: $(cat qian.login)"
CSRF=$(python3 -c "import json; print(json.load(open('qian.login'))['csrf_token'])")
st=$(curl -sS -b qian.jar -o esc.out -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $CSRF" -d '{}' "$C1URL/api/v1/cases/$CL/escalate")
[ "$st" = 200 ] && grep -q '"outcome":"escalated"' esc.out || fail "escalate: $st $(cat esc.out)"
# With an interval of 600 s only the wake sends it: no command is run.
esc_taken_in 120 "$CL"
grep -q '"msg":"escalation relay up: witness cosigned","witness":"pref.example/witness"' clog ||
    fail "no 'witness cosigned' logged"
sent=$(grep '"msg":"escalation relay up: bundle sent","origin":"pref.example/4331","from":0,' clog) ||
    fail "no 'bundle sent' from 0 logged"
TO=$(sed 's/.*"to":\([0-9]*\).*/\1/' <<<"$sent")
EV=$(sed 's/.*"events":\([0-9]*\).*/\1/' <<<"$sent")
REC=$(sed 's/.*"recorded":\([0-9]*\).*/\1/' <<<"$sent")
# The first bundle: every event new to the prefecture, up to the end of
# the county's log when it was sent (its escalation.sent included).
[ "$EV" -gt 0 ] && [ "$REC" = "$EV" ] || fail "bundle sent: $sent"
SENTSEQ=$(q "$DB_c1" "SELECT seq FROM ledger_events WHERE type = 'escalation.sent'")
[ "$SENTSEQ" -lt "$TO" ] || fail "the bundle to $TO does not cover escalation.sent at $SENTSEQ"
# Both stores agree on the position: the prefecture's next expected seq,
# the county's acknowledged one, the bundle's to.
[ "$(q "$DB_p" "SELECT next_seq FROM levels_origins WHERE origin = 'county.example/c1'")" = "$TO" ] ||
    fail "the prefecture expects $(q "$DB_p" "SELECT next_seq FROM levels_origins WHERE origin = 'county.example/c1'"), sent to $TO"
ACK=$(q "$DB_c1" "SELECT acked FROM escalation_relay_acks WHERE origin = 'pref.example/4331'")
[ "$ACK" = "$TO" ] || fail "acknowledged '$ACK', the bundle went to $TO"
# The prefecture handles it; its relay down brings the state back.
PP() { "$P" "$@" --db "$DB_p"; }
PP clue dispose "$PCL" --method preliminary_verification --reason 问题具体可查 >/dev/null || fail "dispose"
PP clue conclude "$PCL" --outcome form1 --measure criticism --reason 州纪委认定属实 >/dev/null || fail "conclude"
want="$CL  transferred to 湘西州纪委 (their clue $PCL): concluded (form 1)"
listed() { "$P" escalation list --db "$DB_c1" >list.out 2>&1 && grep -qF -- "$1" list.out; }
esc_retry 120 listed "$want" || fail "the conclusion never came down: $(cat list.out)"
# Nothing the county did for the way back: its relay up sent no bundle
# the levels.* events it received would be in (never in supervisor/v1).
[ "$(grep -c '"msg":"escalation relay up: bundle sent"' clog)" = 1 ] || fail "more than one bundle sent up"

# ------------------------------------------- 2. clean shutdown
stop "$CPID"
grep -q '"level":"warn"' clog && fail "a warning in the county's log: $(grep warn clog)"
# The log names origins, sizes and URLs, never a key.
while read -r k; do
    [ ${#k} -ge 32 ] && grep -qF -- "$k" clog && fail "a secret is in the log"
done < <(cat "$(store_side "$DB_c1" key)" wc.key)
"$P" verify --db "$DB_c1" >/dev/null || fail "verify c1"
"$P" verify --db "$DB_p" >/dev/null || fail "verify p"

# A second clue, escalated by `plumb escalate` (another process: the
# next round of the relay sends it). Sent below to a level above that is
# not there, then to one whose key is not the pinned one.
out=$("$P" clue add --db "$DB_c1" --channel letter --category money \
    --subject-person 43312719700315011X --summary 反映县委书记违规插手工程 \
    --facts "县委书记王建国为亲属承揽工程打招呼" 2>&1) || fail "clue add 2: $out"
CL2=$(sed -n 's/^registered clue //p' <<<"$out")
"$P" escalate "$CL2" --above above.conf --db "$DB_c1" >/dev/null || fail "escalate 2"

# ------------------------------------------- 3. unreachable: logged, retried
NOPE=$(free_port)
# county_up N: the county's server relaying up by upN.conf every second
# (port file c1portN, log clogN), then wait until clogN has logged
# retry_in $2 (no check: the lines are checked below).
county_up() {
    "$P" serve --db "$DB_c1" --port 0 --port-file c1port$1 --quiet \
        --escalation-up up$1.conf --escalation-interval 1 2>clog$1 &
    CPID=$!
    PIDS+=($CPID)
    wait_port c1port$1 || fail "the county's server did not start ($1)"
    esc_retry 120 grep -q "\"retry_in\":$2}" clog$1
}
esc_up_conf up3.conf "$PLV" "http://127.0.0.1:$NOPE"
county_up 3 4
grep -q "\"msg\":\"escalation relay up: send failed\",\"origin\":\"pref.example/4331\",\"error\":\"level http://127.0.0.1:$NOPE[^\"]*\",\"retry_in\":2}" clog3 ||
    fail "no first failure (retry_in 2) naming the URL: $(cat clog3)"
grep -q '"msg":"escalation relay up: send failed".*"retry_in":4}' clog3 || fail "no retry with backoff to 4 s"
grep -q 'bundle sent' clog3 && fail "a bundle was sent to nowhere"
stop "$CPID"
[ "$(q "$DB_c1" "SELECT acked FROM escalation_relay_acks WHERE origin = 'pref.example/4331'")" = "$ACK" ] ||
    fail "an unreachable level above moved the acknowledged position"
[ -z "$(q "$DB_p" "SELECT clue_id FROM escalations_in WHERE origin_clue_id='$CL2'")" ] ||
    fail "the second clue reached the prefecture"

# ------------------------------------------- 4. a wrong pinned key: refused
"$P" keygen --name pref.example/4331 --out other.key >other.out || fail "keygen other"
OTHER=$(tail -n 1 other.out)
esc_up_conf up4.conf "$OTHER" "$PURL"
county_up 4 2
grep -q '"msg":"escalation relay up: send failed","origin":"pref.example/4331","error":"the receipt is not signed by pref.example/4331.s log key","retry_in":2}' clog4 ||
    fail "the receipt was not refused: $(cat clog4)"
stop "$CPID"
grep -q 'bundle sent' clog4 && fail "a bundle with a refused receipt was logged as sent"
[ "$(q "$DB_c1" "SELECT acked FROM escalation_relay_acks WHERE origin = 'pref.example/4331'")" = "$ACK" ] ||
    fail "a refused receipt moved the acknowledged position"
# The limit of §7: the receiver had it before the receipt was checked.
[ -n "$(q "$DB_p" "SELECT clue_id FROM escalations_in WHERE origin_clue_id='$CL2'")" ] ||
    fail "the bundle did not reach the prefecture"
for f in clog3 clog4; do
    while read -r k; do
        [ ${#k} -ge 32 ] && grep -qF -- "$k" $f && fail "a secret is in $f"
    done < <(cat "$(store_side "$DB_c1" key)")
done

# ------------------------------------------- 5. bad settings
bad() { # $1: expected message; rest: serve options
    local want=$1; shift
    out=$(timeout 20 "$P" serve --db "$DB_c1" --port 0 --quiet "$@" 2>&1) && fail "serve accepted: $*"
    [ "$(wc -l <<<"$out")" -le 3 ] && grep -qF -- "$want" <<<"$out" || fail "serve $*: $out"
}
printf 'up pref.example/4331 %s %s\n' "$PLV" "$PURL" >upw.conf
bad "upw.conf: needs at least one witness line and one up line" --escalation-up upw.conf
printf 'witness %s %s/witness\ndown county.example/c1 %s\n' "$WP" "$PURL" "$PURL" >upd.conf
bad "upd.conf line 2: expected \"witness <witness vkey> <URL>\" or \"up <origin> <log vkey> <URL>\"" \
    --escalation-up upd.conf
cat up.conf >up2.conf
printf 'up pref.example/9999 %s %s\n' "$PLV" "$PURL" >>up2.conf
bad "up2.conf line 4: a second up line" --escalation-up up2.conf
bad "up4.conf line 2: the log key of pref.example/4331 is not the one in --bundle-origins" \
    --bundle-origins plogs.conf --bundle-witness "$WC" --escalation-up up4.conf
echo "pref.example/9999 $PK 另一个纪委" >above9.conf
bad "the level above of --escalation-above is pref.example/9999, of --escalation-up pref.example/4331" \
    --escalation-above above9.conf --escalation-up up.conf
"$P" keygen --name county.example/zz --out zz.key >zz.out || fail "keygen zz"
printf 'witness %s %s/witness\nup pref.example/4331 %s %s\n' "$WP" "$PURL" "$(tail -n 1 zz.out)" "$PURL" >upk.conf
bad "upk.conf line 2: the log key is county.example/zz's, not the log key of pref.example/4331" \
    --escalation-up upk.conf
printf 'pref.example/4331 %s\n' "$PLV" >plogs2.conf
printf 'witness %s %s/witness\ndown pref.example/4331 %s\n' "$WP" "$PURL" "$PURL" >down2.conf
bad "pref.example/4331 is the level above (--escalation-up) and a level below (--escalation-down)" \
    --bundle-origins plogs2.conf --bundle-witness "$WC" --escalation-down down2.conf --escalation-up up.conf
printf 'witness %s %s/witness\nup pref.example/4331 %s https://x\n' "$WP" "$PURL" "$PLV" >uph.conf
bad "uph.conf line 2: URL must start with http://" --escalation-up uph.conf
echo "ok"
