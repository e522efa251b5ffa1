# Shared setup of the bundle tests (sourced, not a test: helpers/ is not
# globbed by CMake). On both engines (helpers/store_lib.sh, which
# levels_begin sources). In the current directory, with $P the plumb binary and
# fail() defined (levels_begin gives both): a county store CDB (origin
# t.example/c; its key file CKEY), a prefecture store PDB (t.example/p),
# a witness key and `plumb witness serve` on a
# loopback port that knows the county's log. Sets LV (the county's log
# verifier key), WV (the witness's), WPID (its pid, for the caller's trap)
# and writes logs.conf / origins.conf (the county's log) and wport.
levels_setup() {
    CDB=$(store_new c) || fail "store c"
    PDB=$(store_new p) || fail "store p"
    CKEY=$(store_side "$CDB" key)
    "$P" init --db "$CDB" --origin t.example/c >init.out || fail "init c"
    LV=$(tail -n 1 init.out)
    "$P" init --db "$PDB" --origin t.example/p >/dev/null || fail "init p"
    "$P" keygen --name t.example/witness --out w.key >/dev/null || fail keygen
    WV=$("$P" witness vkey --key w.key) || fail vkey
    levels_witness "t.example/c $LV"
}

# levels_begin: the start of a bundle test, after P and SRC are set:
# English messages, a temporary directory (made current; removed on exit,
# the witness of WPID killed), helpers/store_lib.sh (P is then its PLUMB),
# fail(), and TAMPER, the dishonest sender.
levels_begin() {
    export PLUMB_LANG=en
    T=$(mktemp -d)
    WPID=
    trap '[ -n "$WPID" ] && kill $WPID 2>/dev/null; rm -rf "$T"' EXIT
    cd "$T" || exit 2
    PLUMB=$P PLUMB_SRC=${PLUMB_SRC:-$SRC}
    . "$SRC/tests/cli/helpers/store_lib.sh"
    P=$PLUMB
    TAMPER="$SRC/tests/cli/helpers/bundle_tamper.mjs"
}
fail() { echo "FAIL: $*"; exit 1; }

# levels_witness LOG_LINE: logs.conf and origins.conf holding LOG_LINE
# ("<origin> <log vkey>"), and `plumb witness serve` with w.key on a
# loopback port for it (port in wport, pid in WPID).
levels_witness() {
    echo "$1" >logs.conf
    cp logs.conf origins.conf
    "$P" witness serve --state wst --key w.key --logs logs.conf --listen 127.0.0.1:0 --port-file wport 2>wlog &
    WPID=$!
    for _ in $(seq 1 300); do [ -s wport ] && break; sleep 0.02; done
    [ -s wport ] || fail "witness did not start"
}

# levels_bundle_test LEDGER [COUNT BATCH]: the start of a bundle test:
# levels_begin, snap() (one hash of the receiver PDB: LEDGER of
# ledger_events — "*" or "count(*)" —, levels_received and levels_origins)
# and levels_setup; with COUNT, the county's COUNT test.tick events
# (appended in batches of BATCH) and its checkpoint cosigned (levels_push).
levels_bundle_test() {
    SNAP_LEDGER=$1
    levels_begin
    levels_setup
    [ $# -lt 3 ] && return 0
    "$P" ledger-append-test --db "$CDB" --count "$2" --batch "$3" >/dev/null || fail append
    levels_push
}
snap() {
    store_sql "$PDB" "SELECT $SNAP_LEDGER FROM ledger_events ORDER BY 1;
        SELECT * FROM levels_received ORDER BY origin, seq; SELECT * FROM levels_origins ORDER BY origin" | sha256sum
}
# levels_push: the county's checkpoint cosigned by the witness.
levels_push() {
    "$P" checkpoint push --db "$CDB" --witness "$WV" --url "http://127.0.0.1:$(cat wport)" >/dev/null ||
        fail "checkpoint push"
}
# levels_export OPTION...: `bundle export` of CDB for the witness, with
# test.tick events in the bundle (a test hook).
levels_export() { PLUMB_TEST_HOOKS=1 PLUMB_BUNDLE_EXTRA_TYPE=test.tick "$P" bundle export --db "$CDB" --witness-vkey "$WV" "$@" >/dev/null; }

# jx COLUMN KEY: SQL for the text of COLUMN's JSON member KEY (a top-level
# key): json_extract on SQLite, ->> of jsonb on PostgreSQL (a text column).
jx() { if [ "$STORE_PG" = 1 ]; then echo "($1::jsonb ->> '$2')"; else echo "json_extract($1, '\$.$2')"; fi; }
