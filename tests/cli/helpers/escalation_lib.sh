# shellcheck shell=bash disable=SC2034 # (sets variables for the sourcing test)
# Shared setup of the escalation relay tests (tests/cli/*levels_escalation_relay*.sh;
# sourced, not a test: helpers/ is not globbed by CMake). $P is the plumb
# binary; fail() is this file's (after esc_begin) or the caller's own,
# defined after sourcing (the pg_* tests). The names are those of
# docs/LEVELS.md §9: a prefecture pref.example/… with the discipline office
# PD, counties county.example/…; wp.key the prefecture's witness key, wc.key
# the county's, esc.key the prefecture's escalation key.
# Layer: tests/cli.

# esc_begin LOG...: the start of a relay test, after P and SRC are set:
# EX, English messages, a temporary directory T (made current, removed on
# exit with every server in PIDS killed), helpers/store_lib.sh (both
# engines; P is then its PLUMB), and fail(), which shows the tail
# of each LOG that is not empty.
esc_begin() {
    EX="$SRC/examples"
    export PLUMB_LANG=en
    T=$(mktemp -d)
    PIDS=()
    ESC_LOGS=("$@")
    trap esc_cleanup EXIT
    cd "$T" || exit 2
    PLUMB=$P PLUMB_SRC=${PLUMB_SRC:-$SRC}
    . "$SRC/tests/cli/helpers/store_lib.sh"
    P=$PLUMB
}
ESC_LOGS=()
esc_cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
fail() { echo "FAIL: $*"; for f in "${ESC_LOGS[@]}"; do [ -s "$T/$f" ] && { echo "--- $f"; tail -8 "$T/$f"; }; done; exit 1; }
# esc_pg_begin DATABASE LOG...: esc_begin for a test with a store on the
# ctest fixture's PostgreSQL: no key or state directory from the
# environment, server notices quiet; U the URL of DATABASE, made anew.
esc_pg_begin() {
    local db=$1
    shift
    esc_begin "$@"
    export PGOPTIONS='-c client_min_messages=warning'
    unset PLUMB_KEY PLUMB_STATE_DIR
    U=$("$SRC/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" "$db") || fail createdb
}
q() { store_sql "$1" "$2"; }
wait_port() { for _ in $(seq 1 300); do [ -s "$1" ] && return 0; sleep 0.02; done; return 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# esc_retry N CMD...: run CMD until it succeeds, at most N tries 0.5 s apart
# (a bound on the count of tries, never a time asserted).
esc_retry() {
    local n=$1 i
    shift
    for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.5; done
    return 1
}

# esc_porg: porg/, the prefecture's units (a party committee PU and its
# discipline office PD, division 4331).
esc_porg() {
    mkdir -p porg/org
    cat >porg/org/01_units.csv <<'CSV'
id,parent_id,name,division_code,level,kind,industry
PU,,中共湘西州委,4331,prefecture,party,党委
PD,PU,湘西州纪委监委,4331,prefecture,discipline,纪检
CSV
}

# esc_store VAR NAME ORIGIN DIR: a store DB_NAME (store_new NAME: NAME.db,
# or a database of the cluster) of ORIGIN with DIR imported; VAR set to its
# log verifier key (init's last line, in initNAME.out).
esc_store() {
    local db
    db=$(store_new "$2") || fail "store $2"
    printf -v "DB_$2" '%s' "$db"
    "$P" init --db "$db" --origin "$3" >"init$2.out" || fail "init $2"
    "$P" import --all "$4" --db "$db" --quiet >/dev/null || fail "import $2"
    printf -v "$1" '%s' "$(tail -n 1 "init$2.out")"
}

# esc_setup: the one-county setup: the prefecture DB_p
# (pref.example/4331, porg; PLV) and the county DB_c1 (county.example/c1,
# the examples; LV1), esc_keys, and each one's log in clogs.conf (the
# county's, for the prefecture) and plogs.conf (the prefecture's).
esc_setup() {
    esc_porg
    esc_store PLV p pref.example/4331 porg
    esc_store LV1 c1 county.example/c1 "$EX"
    esc_keys pref.example/4331 county.example/c1-witness
    echo "county.example/c1 $LV1" >clogs.conf
    echo "pref.example/4331 $PLV" >plogs.conf
}

# esc_keys PREFECTURE COUNTY_WITNESS: the prefecture's witness key wp.key
# (WP its vkey), the county's witness key wc.key named COUNTY_WITNESS (WC),
# the prefecture's escalation key esc.key (PK) and above.conf naming
# PREFECTURE as the level above, 湘西州纪委.
esc_keys() {
    "$P" keygen --name pref.example/witness --out wp.key >/dev/null || fail "keygen wp"
    WP=$("$P" witness vkey --key wp.key) || fail "vkey wp"
    "$P" keygen --name "$2" --out wc.key >/dev/null || fail "keygen wc"
    WC=$("$P" witness vkey --key wc.key) || fail "vkey wc"
    PK=$("$P" escalation keygen --out esc.key) || fail "escalation keygen"
    echo "$1 $PK 湘西州纪委" >above.conf
}

# esc_down_conf WITNESS_URL ORIGIN URL [ORIGIN URL]...: down.conf, the
# prefecture's relay down: the county's witness (WC) at WITNESS_URL/witness
# and one down line per county.
esc_down_conf() {
    local w=$1
    shift
    printf 'witness %s %s/witness\n' "$WC" "$w" >down.conf
    while [ $# -ge 2 ]; do printf 'down %s %s\n' "$1" "$2" >>down.conf; shift 2; done
}

# esc_up_conf FILE LOG_VKEY URL: a county's relay up to pref.example/4331
# at URL with LOG_VKEY pinned, its checkpoints cosigned by the prefecture's
# witness (WP) at $PURL/witness.
esc_up_conf() {
    printf 'witness %s %s/witness\nup pref.example/4331 %s %s\n' "$WP" "$PURL" "$2" "$3" >"$1"
}

# esc_prefecture PORT_FILE LOG FAIL_MESSAGE STORE_OPTION...: the
# prefecture's `plumb serve` on a free port: the counties' witness (their
# logs in clogs.conf), their bundles and escalated clues (office PD), the
# relay down of down.conf every second. Waits for PORT_FILE (fail
# FAIL_MESSAGE if it never comes); sets PPID_ (also in PIDS) and PURL.
esc_prefecture() {
    local pf=$1 log=$2 msg=$3
    shift 3
    "$P" serve "$@" --port 0 --port-file "$pf" --quiet \
        --witness-state wpst --witness-key wp.key --witness-logs clogs.conf \
        --bundle-origins clogs.conf --bundle-witness "$WP" \
        --escalation-key esc.key --escalation-office PD \
        --escalation-down down.conf --escalation-interval 1 2>"$log" &
    PPID_=$!
    PIDS+=("$PPID_")
    wait_port "$pf" || fail "$msg"
    PURL="http://127.0.0.1:$(cat "$pf")"
}

# esc_taken_in TRIES CLUE: wait until the prefecture's DB_p holds the
# county's CLUE as escalated in; PCL its clue id there (fail if never).
esc_taken_in() {
    PCL=
    esc_retry "$1" esc_pcl "$2"
    [ -n "$PCL" ] || fail "the clue never reached the prefecture"
}
esc_pcl() {
    PCL=$(store_sql "$DB_p" "SELECT clue_id FROM escalations_in WHERE origin_clue_id = '$1'" 2>/dev/null)
    [ -n "$PCL" ]
}

# esc_county PORT PORT_FILE LOG FAIL_MESSAGE STORE_OPTION... -- OPTION...:
# a county's `plumb serve` on PORT (0: any), the prefecture's witness
# (its log in plogs.conf) and its status bundles, with OPTIONs (the relay
# up, the level above); LOG appended to. Waits for PORT_FILE (fail
# FAIL_MESSAGE if it never comes); sets CPID (also in PIDS).
esc_county() {
    local port=$1 pf=$2 log=$3 msg=$4 store=()
    shift 4
    while [ $# -gt 0 ] && [ "$1" != -- ]; do store+=("$1"); shift; done
    shift
    "$P" serve "${store[@]}" --port "$port" --port-file "$pf" --quiet \
        --witness-state wcst --witness-key wc.key --witness-logs plogs.conf \
        --bundle-origins plogs.conf --bundle-witness "$WC" "$@" 2>>"$log" &
    CPID=$!
    PIDS+=("$CPID")
    wait_port "$pf" || fail "$msg"
}
