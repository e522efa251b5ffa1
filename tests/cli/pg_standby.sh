#!/bin/bash
# pg_standby.sh — `plumb` on a PostgreSQL hot standby (docs/DEPLOY.md "Read
# replicas for dashboards"), and TLS verify-full with scram-sha-256 through
# a two-host URL: a cheap version, on loopback, of what
# scripts/ha-threehost does in network namespaces.
#
# The suite's cluster (fixture pg) runs with wal_level=minimal and no WAL
# senders, so it cannot feed a standby: this test makes its own primary
# (initdb, wal_level=replica, ssl on with a certificate for IP 127.0.0.1
# from a CA made here with openssl, TCP only by `hostssl … scram-sha-256`),
# loads the examples, takes `pg_basebackup -R` into a second directory and
# starts it as a streaming standby on another loopback port. The fixture's
# cluster serves as the writable scratch of `plumb verify --scratch`.
#
# On the standby: `dashboard` (text and --json), `clue stats` (the
# clue panel's rows as a CTE, its parameters bound), `findings`, `log`,
# `rules check` (the reference's parameters as CTEs) and `verify
# --scratch` give the primary's output, and the numbers written
# here by hand from the examples' files (28 findings as in pg_dashboard.sh;
# the two clues of examples/clues); `verify` reads one snapshot: clean on
# the standby while the primary writes, and a recovery conflict (the
# standby's max_standby_streaming_delay 0, locks taken on the primary)
# stops it with one line; a projection row changed on the
# primary and streamed is caught by `verify --scratch` on the standby;
# `verify` without --scratch, `checkpoint` and `serve` refuse with one
# line and exit 1; `serve --db PRIMARY --read-url STANDBY` answers the
# dashboard from the standby (its replay paused: a finding acknowledged
# through the server, on the primary, is still open there) and the write
# from the primary. TLS: every TCP connection is verify-full against the
# CA, scram-sha-256; without TLS, trusting another CA, or by a name the
# certificate does not hold, refused in one line.
# Layer: tests/cli (store/pg.c, cases/stats.c, rules/sqlref.c, ledger verify, http).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
command -v openssl >/dev/null || {
    echo "SKIPPED: no openssl"
    exit 77
}
# (in memory when it can: two clusters' files, ~140 MB, and a base backup's
# 1,500 files written at once take seconds on a busy disk)
TMPD=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPD=/dev/shm
T=$(mktemp -d "$TMPD/plumb-standby.XXXXXX")
chmod 0755 "$T"
OWNER=$(id -un)
as_owner() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then # the server never runs as root (scripts/pg-tmp)
    OWNER=${PLUMB_PG_USER:-nobody}
    as_owner() { runuser -u "$OWNER" -- "$@"; }
    chown "$OWNER" "$T"
fi
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
    for d in "$T/s" "$T/p"; do
        [ -f "$d/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$d" -m fast -w stop >/dev/null 2>&1
    done
    rm -rf "$T"
}
trap cleanup EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning' PLUMB_NOW=2026-03-02T09:00:00Z
export HOME=$T/home PLUMB_STATE_DIR=$T/state # (no ~/.postgresql/root.crt of the machine)
mkdir -p "$HOME" "$PLUMB_STATE_DIR" "$T/sp" "$T/ss"
unset PLUMB_KEY PGPASSWORD PGSSLMODE PGSSLROOTCERT

T0=$(date +%s%N)
lap() { echo "# $((($(date +%s%N) - T0) / 1000000)) ms: $*"; }
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# A throwaway CA and a server certificate for IP 127.0.0.1 (EC keys: fast).
(
    cd "$T" &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj /CN=plumb-test-ca -keyout ca.key -out ca.crt &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -subj /CN=127.0.0.1 -keyout server.key -out server.csr &&
        printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
            -extfile san.ext -out server.crt &&
        # another CA, which did not sign the server's certificate
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj /CN=plumb-test-other-ca -keyout other-ca.key -out other-ca.crt
) >"$T/openssl.log" 2>&1 || fail "openssl: $(cat "$T/openssl.log")"
chown "$OWNER" "$T/sp" "$T/ss" "$T"/server.key "$T"/server.crt
chmod 0600 "$T"/server.key

PW=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
printf '%s\n' "$PW" >"$T/pw"
chown "$OWNER" "$T/pw"
as_owner "$PG_BIN/initdb" -D "$T/p" -U plumb --pwfile="$T/pw" -E UTF8 --locale=C.UTF-8 -N \
    --auth-local=trust --auth-host=scram-sha-256 >"$T/initdb.log" 2>&1 ||
    fail "initdb: $(cat "$T/initdb.log")"
# TCP: TLS and scram-sha-256 only; the Unix sockets (directories of mode
# 0700 owned by the server's user) for the base backup and the standby's
# replication connection.
cat >"$T/p/pg_hba.conf" <<'HBA'
local   all             all                     trust
local   replication     all                     trust
hostssl all             plumb   127.0.0.1/32    scram-sha-256
HBA
chmod 0700 "$T/sp" "$T/ss"
P1=$(free_port)
P2=$(free_port)
[ "$P1" != "$P2" ] || P2=$(free_port)
# (the suite's throwaway settings, scripts/pg-tmp, less wal_level=minimal)
COMMON="-c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=$T/server.crt"
COMMON+=" -c ssl_key_file=$T/server.key -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
as_owner "$PG_BIN/pg_ctl" -D "$T/p" -l "$T/p.log" -w -t 60 -o "$COMMON -p $P1 \
    -c unix_socket_directories=$T/sp -c wal_level=replica -c max_wal_senders=4 -c wal_keep_size=256MB" \
    start >/dev/null 2>&1 || fail "primary: $(tail -5 "$T/p.log")"
lap "certificates, initdb, primary started"

TLS="sslmode=verify-full&sslrootcert=$T/ca.crt"
UP="postgresql://plumb:$PW@127.0.0.1:$P1/postgres?$TLS"
US="postgresql://plumb:$PW@127.0.0.1:$P2/postgres?$TLS"
# Two hosts, the standby first: libpq must pass it over for the primary.
UHA="postgresql://plumb:$PW@127.0.0.1:$P2,127.0.0.1:$P1/postgres?target_session_attrs=read-write&$TLS"
# The fixture's cluster (no TLS, another server): verify's scratch.
SCRATCH=$(pg_db pg_standby_scratch) || exit 1

"$PLUMB" init --db "$UHA" >"$T/init" 2>&1 || fail "init: $(cat "$T/init")"
"$PLUMB" import --db "$UHA" --all "$PLUMB_SRC/examples" --as-of 2026-03-01 --quiet >"$T/imp" 2>&1 ||
    fail "import: $(cat "$T/imp")"
"$PLUMB" sweep --db "$UHA" --as-of 2026-03-01 >"$T/sweep" 2>&1 || fail "sweep: $(cat "$T/sweep")"
lap "init, import, sweep through the two-host URL"

# The standby: a base backup with its recovery settings (-R: standby.signal,
# primary_conninfo by the socket); the WAL it needs streams from the
# primary, which keeps it (wal_keep_size).
as_owner "$PG_BIN/pg_basebackup" -h "$T/sp" -p "$P1" -U plumb -D "$T/s" -R -X none -c fast \
    --no-sync --no-manifest >"$T/bb.log" 2>&1 || fail "pg_basebackup: $(cat "$T/bb.log")"
as_owner "$PG_BIN/pg_ctl" -D "$T/s" -l "$T/s.log" -w -t 60 -o "$COMMON -p $P2 \
    -c unix_socket_directories=$T/ss -c hot_standby=on" \
    start >/dev/null 2>&1 || fail "standby: $(tail -5 "$T/s.log")"
role() { "$PLUMB" sql --db "$1" "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>&1; }
[ "$(role "$US")" = standby ] || fail "P2 is not a standby: $(role "$US")"
[ "$(role "$UHA")" = primary ] || fail "target_session_attrs=read-write reached: $(role "$UHA")"
USTB="postgresql://plumb:$PW@127.0.0.1:$P1,127.0.0.1:$P2/postgres?target_session_attrs=standby&$TLS"
[ "$(role "$USTB")" = standby ] || fail "target_session_attrs=standby reached: $(role "$USTB")"

# wait_replay: until the standby has replayed the primary's WAL as of now
# (its insert position: with synchronous_commit=off the last commit's
# record may not be written yet, and pg_current_wal_lsn, the write
# position, can stop short of it — verify then missed a change made just
# before, once).
wait_replay() {
    local lsn
    lsn=$("$PLUMB" sql --db "$UP" "SELECT pg_current_wal_insert_lsn()") || fail "lsn"
    for _ in $(seq 100); do
        [ "$("$PLUMB" sql --db "$US" "SELECT CASE WHEN pg_last_wal_replay_lsn() >= '$lsn' THEN 'yes' END")" = yes ] &&
            return 0
        sleep 0.1
    done
    fail "the standby did not replay to $lsn in 10 s"
}
# A write after the backup, streamed: the standby's log holds it.
"$PLUMB" checkpoint --db "$UHA" >"$T/ckpt" 2>&1 || fail "checkpoint: $(cat "$T/ckpt")"
wait_replay
lap "base backup, standby started, a checkpoint streamed"

# same NAME ARGS...: exit 0 on both nodes, the same output (the two run at
# once: they mostly wait on their servers).
same() {
    local name=$1 p s
    shift
    "$PLUMB" "$@" --db "$UP" >"$T/$name.p" 2>"$T/$name.pe" &
    p=$!
    "$PLUMB" "$@" --db "$US" >"$T/$name.s" 2>"$T/$name.se" &
    s=$!
    wait $p || fail "$name on the primary: $(cat "$T/$name.pe")"
    wait $s || fail "$name on the standby: $(cat "$T/$name.se")"
    cmp -s "$T/$name.p" "$T/$name.s" || fail "$name: the standby's output differs: $(diff "$T/$name.p" "$T/$name.s" | head -5)"
    [ -s "$T/$name.s" ] || fail "$name: no output"
    lap "ok: $name: the primary's output ($(wc -l <"$T/$name.s") lines)"
}
. "$PLUMB_SRC/tests/cli/helpers/want1.sh"

# 1. The dashboard, from the standby (its clue panel without a temporary
#    table), and the numbers by hand: 28 findings (pg_dashboard.sh); the
#    two clues of examples/clues/clues.csv (CL001 letter, money, U002,
#    2023-06, preliminary_verification → form1; CL002 online, conduct, no
#    unit, 2023-07, talk_inquiry → unfounded: both concluded, none open).
same dashboard dashboard --as-of 2026-03-01 --lang en
same dashboard.json dashboard --as-of 2026-03-01 --json
python3 - "$T/dashboard.json.s" <<'PY' || fail "the standby's dashboard is not as written"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["findings"]["total"] == 28, d["findings"]["total"]
c = d["clues"]
assert (c["total"], c["open"], c["overdue"]) == (2, 0, 0), c
assert c["by_channel"] == {"letter": 1, "online": 1}, c
assert c["by_category"] == {"conduct": 1, "money": 1}, c
assert c["by_method"] == {"preliminary_verification": 1, "talk_inquiry": 1}, c
assert c["by_outcome"] == {"form1": 1, "unfounded": 1}, c
assert c["by_month"] == {"2023-06": 1, "2023-07": 1}, c
PY
#    The clue statistics with parameters (a date, a scope, a recusal):
#    bound in front of each statement on the standby; by hand, from
#    2023-07-01 only CL002.
same clue.stats.from clue stats --from 2023-07-01
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["total"], d["by_channel"]) == (1, {"online": 1}), d' \
    "$T/clue.stats.from.s" || fail "clue stats --from 2023-07-01: $(cat "$T/clue.stats.from.s")"
same clue.stats.scoped clue stats --role discipline --scope U001 --as-person 433127198001010337 --to 2023-12-31
# 2. Reads.
same findings findings --lang en
same log log
#    The rules' SQL reference beside the engine: on the standby its
#    parameters are CTEs over arrays (no temporary table there; on the
#    primary they are temporary tables): the same table as on the primary
#    (less the engine's timing line), engine = sql, and 22 findings — the
#    dashboard's 28 less the 6 that the sweep resolved (so no longer hold
#    on 2026-03-01: R12's two, R15's one, R16's two, R17's one).
for n in p s; do
    u=$UP
    [ $n = s ] && u=$US
    "$PLUMB" rules check --as-of 2026-03-01 --db "$u" >"$T/rc.$n" 2>&1 || fail "rules check ($n): $(cat "$T/rc.$n")"
    grep -v '^engine: load ' "$T/rc.$n" >"$T/rc.$n.cmp"
done
cmp -s "$T/rc.p.cmp" "$T/rc.s.cmp" || fail "rules check: the standby's differs: $(diff "$T/rc.p.cmp" "$T/rc.s.cmp" | head -5)"
grep -qx 'engine = sql (22 findings, evidence included)' "$T/rc.s" ||
    fail "rules check on the standby: $(tail -3 "$T/rc.s")"
grep -Eq '^R16 .* 7 +7$' "$T/rc.s" || fail "rules check on the standby, R16: $(grep ^R16 "$T/rc.s")"
lap "ok: rules check on the standby: the primary's table, engine = sql, 22 findings"
# 3. verify: the primary's report, its replay in a scratch schema of the
#    fixture's cluster; nothing left there.
same verify verify --scratch "$SCRATCH"
grep -q '^ledger ok: ' "$T/verify.s" || fail "verify: $(cat "$T/verify.s")"
[ "$("$PLUMB" sql --db "$SCRATCH" "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'plumb_verify%'")" = 0 ] ||
    fail "verify left a scratch schema"
#    One snapshot (REPEATABLE READ READ ONLY, which a hot standby runs):
#    verify on the standby while the primary writes (a user's role changed
#    back and forth, each an event and a projection row changed, and a
#    checkpoint, in a loop) is clean — statement by statement it stopped
#    at the newer rows (docs/DEPLOY.md: "ledger size 105 differs from 104
#    events"). Two runs (without the snapshot the first failed in each of
#    three tries: "table users … column role" or "… column ev_seq"); the
#    writes are counted to show they ran meanwhile.
echo "wpw-$PW" | "$PLUMB" user add writer --role auditor --password-stdin --db "$UP" >"$T/uadd" 2>&1 ||
    fail "user add: $(cat "$T/uadd")"
writer() { # writer FILE: writes on the primary until FILE exists (or $T not)
    while [ -d "$T" ] && [ ! -e "$1" ]; do
        "$PLUMB" user role writer leader --db "$UP" >/dev/null 2>&1
        "$PLUMB" user role writer auditor --db "$UP" >/dev/null 2>&1
        "$PLUMB" checkpoint --db "$UP" >/dev/null 2>&1
    done
}
ev() { "$PLUMB" sql --db "$UP" "SELECT count(*) FROM ledger_events"; }
writer "$T/stop.w" &
wpid=$!
for i in 1 2; do
    b=$(ev)
    "$PLUMB" verify --db "$US" --scratch "$SCRATCH" >"$T/vw.out" 2>"$T/vw.err" || {
        touch "$T/stop.w"
        fail "verify on the standby while the primary writes (run $i): $(cat "$T/vw.err")"
    }
    a=$(ev)
    grep -q '^ledger ok: ' "$T/vw.out" || fail "verify while writing: $(cat "$T/vw.out")"
    [ "$a" -gt $((b + 1)) ] || { touch "$T/stop.w"; fail "run $i: the primary wrote $b..$a events meanwhile: too few to show anything"; }
    echo "ok: verify on the standby clean while the primary went from $b to $a events: $(grep -o '^ledger ok: [0-9]* events' "$T/vw.out")"
done
touch "$T/stop.w"
wait $wpid
lap "verify in one snapshot while the primary writes"
#    A recovery conflict: the standby told not to wait for its readers
#    (max_standby_streaming_delay 0, ALTER SYSTEM and a reload there), the
#    primary taking ACCESS EXCLUSIVE locks on ledger_events in a loop (each
#    replayed on the standby, where verify's snapshot holds that table
#    from its first pass to its end): the standby cancels verify, which
#    says so in one line and exits 1.
"$PLUMB" sql --db "$US" "ALTER SYSTEM SET max_standby_streaming_delay = 0; SELECT pg_reload_conf()" >/dev/null ||
    fail "max_standby_streaming_delay"
locker() {
    while [ -d "$T" ] && [ ! -e "$1" ]; do
        "$PLUMB" sql --db "$UP" "BEGIN; LOCK TABLE ledger_events IN ACCESS EXCLUSIVE MODE; COMMIT" >/dev/null 2>&1
    done
}
locker "$T/stop.l" &
lpid=$!
want1 "verify cancelled by a recovery conflict" "verify did not finish: the standby cancelled its snapshot" \
    "$PLUMB" verify --db "$US" --scratch "$SCRATCH"
touch "$T/stop.l"
wait $lpid
"$PLUMB" sql --db "$US" "ALTER SYSTEM RESET max_standby_streaming_delay; SELECT pg_reload_conf()" >/dev/null ||
    fail "max_standby_streaming_delay reset"
want1 "verify on the standby without --scratch" "--scratch URL" "$PLUMB" verify --db "$US"
want1 "verify --scratch the standby itself" "read-only server" "$PLUMB" verify --db "$US" --scratch "$US"
#    As strong as on the primary: a projection row changed behind the
#    ledger's back on the primary (session_replication_role: past the
#    guard triggers), streamed, is caught on the standby.
"$PLUMB" sql --db "$UP" "SET session_replication_role = replica; UPDATE units SET name = name || 'x' WHERE id = 'U002'" ||
    fail "tamper"
wait_replay
"$PLUMB" verify --db "$US" --scratch "$SCRATCH" >"$T/out" 2>"$T/err" && fail "verify missed a changed row"
grep -q "units" "$T/err" || fail "verify's mismatch does not name units: $(cat "$T/err")"
echo "ok: a changed row caught on the standby: $(cut -c1-160 "$T/err")"
"$PLUMB" sql --db "$UP" "SET session_replication_role = replica; UPDATE units SET name = left(name, -1) WHERE id = 'U002'" ||
    fail "untamper"
# 4. Writes refused in one line; nothing written.
before=$("$PLUMB" sql --db "$UP" "SELECT count(*) FROM ledger_events")
want1 "checkpoint on the standby" "the database server is read-only" "$PLUMB" checkpoint --db "$US"
want1 "serve on the standby" "plumb serve needs the read-write URL" \
    timeout 20 "$PLUMB" serve --db "$US" --port 0 --quiet
[ "$("$PLUMB" sql --db "$UP" "SELECT count(*) FROM ledger_events")" = "$before" ] || fail "a refused write wrote"
lap "dashboard, clue stats, findings, log, verify, refusals"

# 5. plumb serve --db PRIMARY --read-url STANDBY: the dashboard from the
#    standby, sign-in and writes on the primary. The proof is lag made on
#    purpose: with the standby's replay paused, a finding acknowledged
#    through the server (answered 200: written by the primary, which the
#    CLI there shows) is not in the dashboard the server answers (still
#    open: read on the standby) until the replay resumes.
WPW='Correct-Horse-9battery'
out=$(echo "$WPW" | "$PLUMB" user add disc --role discipline_officer --scope U001 --password-stdin \
    --db "$UP" --actor test 2>&1) || fail "user add disc: $out"
secret=$(printf '%s\n' "$out" | sed -n 's/^totp_secret: //p')
"$PLUMB" serve --db "$UP" --read-url "$US" --port 0 --port-file "$T/port" 2>"$T/serve.err" &
SERVER=$!
for _ in $(seq 1 400); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || fail "serve --read-url did not start: $(cat "$T/serve.err")"
B="http://127.0.0.1:$(cat "$T/port")"
code=$(cd "$PLUMB_SRC/tests/api" && node --input-type=module -e \
    "import {totp} from './lib.mjs'; console.log(totp('$secret', Date.parse('$PLUMB_NOW') / 1000))") ||
    fail "node could not compute the code"
st=$(curl -sS -c "$T/jar" -o "$T/login" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"username\":\"disc\",\"password\":\"$WPW\",\"totp\":\"$code\"}" "$B/api/v1/auth/login")
[ "$st" = 200 ] || fail "login through serve --read-url: $st $(cat "$T/login")"
csrf=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$T/login") ||
    fail "no csrf_token: $(cat "$T/login")"
# dash NAME: GET the dashboard; prints its findings' open count
dash() {
    st=$(curl -sS -b "$T/jar" -o "$T/$1" -w '%{http_code}' "$B/api/v1/dashboard?as_of=2026-03-01")
    [ "$st" = 200 ] || fail "dashboard ($1): $st $(cat "$T/$1")"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["findings"]["by_status"].get("open", 0))' "$T/$1"
}
open0=$(dash d0)
fid=$("$PLUMB" sql --db "$UP" "SELECT id FROM findings WHERE status = 'open' AND unit_id = 'U001' ORDER BY id LIMIT 1")
[ -n "$fid" ] || fail "no open finding of U001"
"$PLUMB" sql --db "$US" "SELECT pg_wal_replay_pause()" >/dev/null || fail "pause"
for _ in $(seq 50); do
    [ "$("$PLUMB" sql --db "$US" "SELECT pg_get_wal_replay_pause_state()")" = paused ] && break
    sleep 0.1
done
st=$(curl -sS -b "$T/jar" -o "$T/ack" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $csrf" -d '{"status":"acknowledged","reason":"seen on the replica test"}' \
    "$B/api/v1/findings/$fid/status")
[ "$st" = 200 ] || fail "acknowledge through serve --read-url: $st $(cat "$T/ack")"
[ "$("$PLUMB" sql --db "$UP" "SELECT status FROM findings WHERE id = '$fid'")" = acknowledged ] ||
    fail "the write did not reach the primary"
[ "$("$PLUMB" sql --db "$US" "SELECT status FROM findings WHERE id = '$fid'")" = open ] ||
    fail "the standby's replay was not paused"
open1=$(dash d1)
[ "$open1" = "$open0" ] || fail "the dashboard was not read on the (paused) standby: open $open0 -> $open1"
"$PLUMB" sql --db "$US" "SELECT pg_wal_replay_resume()" >/dev/null || fail "resume"
wait_replay
#    The clue statistics (GET /api/v1/cases/stats) from the standby too:
#    by hand, of the two clues of examples/clues the scope U001 holds
#    CL001 only (its unit U002 is under U001; CL002 names no unit).
st=$(curl -sS -b "$T/jar" -o "$T/cstats" -w '%{http_code}' "$B/api/v1/cases/stats")
[ "$st" = 200 ] || fail "cases/stats from the standby: $st $(cat "$T/cstats")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["total"], d["by_channel"], d["by_unit"]) == (1, {"letter": 1}, {"U002": 1}), d' \
    "$T/cstats" || fail "cases/stats from the standby: $(cat "$T/cstats")"
open2=$(dash d2)
[ "$open2" = $((open0 - 1)) ] || fail "the dashboard after the replay: open $open0 -> $open2"
#    The access log says it too: "db":"replica" on the three dashboards and
#    the clue statistics, on nothing else (the sign-in, the acknowledgement).
grep -c '"db":"replica"' "$T/serve.err" | grep -qx 4 ||
    fail "access log: not 4 answers from the replica: $(grep '"path"' "$T/serve.err")"
grep '"db":"replica"' "$T/serve.err" | grep -vqE '"path":"/api/v1/(dashboard|cases/stats)"' &&
    fail "access log: another route answered from the replica: $(grep '"db":"replica"' "$T/serve.err")"
echo "ok: serve --read-url: the write on the primary (200), the dashboard from the standby: open $open0 while paused, $open2 once replayed"
kill "$SERVER"
wait "$SERVER" 2>/dev/null
SERVER=
want1 "serve --read-url to a database that is not there" "--read-url: " \
    timeout 20 "$PLUMB" serve --db "$UP" --read-url "postgresql://plumb:$PW@127.0.0.1:$P2/nosuchdb?$TLS" --port 0 --quiet
lap "serve --read-url"

# 6. TLS: no plaintext login (pg_hba hostssl only), no login trusting
#    another CA, nor by a name the certificate does not hold (localhost: it
#    names IP 127.0.0.1 only).
want1 "no TLS" "the database server refused the connection" "$PLUMB" log --db "postgresql://plumb:$PW@127.0.0.1:$P1/postgres?sslmode=disable"
want1 "verify-full with another CA" "the TLS connection failed" \
    "$PLUMB" log --db "postgresql://plumb:$PW@127.0.0.1:$P1/postgres?sslmode=verify-full&sslrootcert=$T/other-ca.crt"
grep -qF "certificate verify failed" "$T/err" || fail "the CA's refusal: $(cat "$T/err")"
want1 "verify-full by another name" "the TLS connection failed" \
    "$PLUMB" log --db "postgresql://plumb:$PW@localhost:$P1/postgres?$TLS"
grep -qF "does not match host name" "$T/err" || fail "the name's refusal: $(cat "$T/err")"
#    And the password is checked (scram-sha-256 over TLS).
want1 "a wrong password over TLS" "the database refused the credentials" \
    "$PLUMB" log --db "postgresql://plumb:wrong$PW@127.0.0.1:$P1/postgres?$TLS"
lap "all checks passed"
