# Shared setup of the bundle tests (sourced, not a test: helpers/ is not
# globbed by CMake). In the current directory, with $P the plumb binary and
# fail() defined (levels_begin gives both): a county store c.db (origin t.example/c), a prefecture
# store p.db (t.example/p), a witness key and `plumb witness serve` on a
# loopback port that knows the county's log. Sets LV (the county's log
# verifier key), WV (the witness's), WPID (its pid, for the caller's trap)
# and writes logs.conf / origins.conf (the county's log) and wport.
levels_setup() {
    "$P" init --db c.db --origin t.example/c >init.out || fail "init c"
    LV=$(tail -n 1 init.out)
    "$P" init --db p.db --origin t.example/p >/dev/null || fail "init p"
    "$P" keygen --name t.example/witness --out w.key >/dev/null || fail keygen
    WV=$("$P" witness vkey --key w.key) || fail vkey
    levels_witness "t.example/c $LV"
}

# levels_begin: the start of a bundle test, after P and SRC are set:
# English messages, a temporary directory (made current; removed on exit,
# the witness of WPID killed), fail(), and TAMPER, the dishonest sender.
levels_begin() {
    export PLUMB_LANG=en
    T=$(mktemp -d)
    WPID=
    trap '[ -n "$WPID" ] && kill $WPID 2>/dev/null; rm -rf "$T"' EXIT
    cd "$T" || exit 2
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
