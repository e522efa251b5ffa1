# Shared setup of the bundle tests (sourced, not a test: helpers/ is not
# globbed by CMake). In the current directory, with $P the plumb binary and
# fail() defined: a county store c.db (origin t.example/c), a prefecture
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
    echo "t.example/c $LV" >logs.conf
    cp logs.conf origins.conf
    "$P" witness serve --state wst --key w.key --logs logs.conf --listen 127.0.0.1:0 --port-file wport 2>wlog &
    WPID=$!
    for _ in $(seq 1 300); do [ -s wport ] && break; sleep 0.02; done
    [ -s wport ] || fail "witness did not start"
}
