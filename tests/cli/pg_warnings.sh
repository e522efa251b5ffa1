#!/bin/bash
# pg_warnings.sh — `plumb warnings` on both backends (issue #20 item 2,
# docs/ARCHITECTURE.md "SQL dialect": no SQL printf): the examples imported
# and swept into a SQLite and a PostgreSQL store; on each, every warning
# line ends with its risk index with two decimals, computed here with awk
# from risk_warnings.index_x100 read through plumb sql; two planted rows
# check the padding by hand (1205 -> 12.05, 7 -> 0.07). The two backends
# print the same lines, and so do `plumb task list` and `plumb judge list`.
# Layer: tests/cli (cli/cmd_rules.c, store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
unset PLUMB_KEY
U=$(pg_db pg_warnings) || exit 1

run() { # run DB NAME
    local db=$1 n=$2
    "$PLUMB" init --db "$db" --state-dir "$T/$n.state" >/dev/null 2>&1 || fail "init $n"
    "$PLUMB" import --db "$db" --state-dir "$T/$n.state" --all "$PLUMB_SRC/examples" \
        --as-of 2026-03-01 --quiet >"$T/$n.imp" 2>&1 || fail "import $n: $(cat "$T/$n.imp")"
    "$PLUMB" sweep --db "$db" --state-dir "$T/$n.state" --as-of 2026-03-01 >/dev/null 2>&1 ||
        fail "sweep $n"
    "$PLUMB" sql --db "$db" "INSERT INTO risk_warnings (id, person_id, grade, index_x100, breakdown,
        raised_at, ev_seq) VALUES ('W-PAD1', 'P-PAD', 'blue', 1205, '[]', '2026-03-01', 1000000),
        ('W-PAD2', 'P-PAD', 'blue', 7, '[]', '2026-03-01', 1000001)" >/dev/null || fail "plant $n"
    "$PLUMB" warnings --db "$db" >"$T/$n.out" 2>"$T/$n.err" || fail "warnings $n: $(cat "$T/$n.err")"
    "$PLUMB" sql --db "$db" "SELECT id, index_x100 FROM risk_warnings ORDER BY ev_seq DESC" |
        awk -F'\t|[|]' '{ printf "%s %.2f\n", $1, $2 / 100 }' >"$T/$n.want"
    awk 'NF > 1 { print $1, $NF }' "$T/$n.out" >"$T/$n.got"
    [ "$(wc -l <"$T/$n.want")" -ge 4 ] || fail "$n: too few warnings: $(cat "$T/$n.want")"
    cmp -s "$T/$n.want" "$T/$n.got" || fail "$n: index column: $(diff "$T/$n.want" "$T/$n.got")"
    grep -q '^W-PAD1 .* 12\.05$' "$T/$n.out" || fail "$n: 1205 is not 12.05: $(cat "$T/$n.out")"
    grep -q '^W-PAD2 .* 0\.07$' "$T/$n.out" || fail "$n: 7 is not 0.07: $(cat "$T/$n.out")"
    # The warnings' tasks and judgements (src/inspect/tasks.c: an optional
    # filter bound as text), listed the same way on both.
    "$PLUMB" task list --db "$db" >>"$T/$n.out" 2>"$T/$n.err" || fail "task list $n: $(cat "$T/$n.err")"
    "$PLUMB" task list --db "$db" --status open >>"$T/$n.out" 2>"$T/$n.err" ||
        fail "task list --status open $n: $(cat "$T/$n.err")"
    "$PLUMB" judge list --db "$db" >>"$T/$n.out" 2>"$T/$n.err" || fail "judge list $n: $(cat "$T/$n.err")"
    [ "$(grep -c '"id": "T' "$T/$n.out")" -ge 2 ] || fail "$n: no task listed: $(tail "$T/$n.out")"
}
run "$T/s.db" sqlite
run "$U" pg
cmp -s "$T/sqlite.out" "$T/pg.out" || fail "the backends differ: $(diff "$T/sqlite.out" "$T/pg.out")"
echo "ok: plumb warnings the same on SQLite and PostgreSQL ($(wc -l <"$T/pg.out") lines)"
