# helpers/rules_cache.sh — the generated stores the rules tests share
# (cli.rules_r18, cli.rules_r19, cli.rules_r20): each of them used to run
# the same `plumb gen` + `plumb init` + `plumb import --all --as-of` of the
# county (seed 1) and of the prefecture's first 2 areas (seed 7), and the
# imports were most of their time (docs/RELIABILITY.md "The suite's time").
#
# Sourced, it gives `imported SCALE SEED LIMIT AS_OF DIR DB`: DIR holds
# plumb gen's files and DB a store (with its key and snapshot files) into
# which they were imported with --as-of AS_OF. It copies both from
# $PLUMB_RULES_CACHE (the ctest fixture `rules`, built once per run by the
# entry rules.cache) when the cache holds them, else makes them itself as
# before, so a test run on its own (bash tests/cli/rules_r18.sh) is the same.
#
# Run as a script with a directory, it builds that cache:
#     bash tests/cli/helpers/rules_cache.sh DIR
# Needs: $PLUMB. Layer: tests/cli.

rules_cache_key() { echo "$1-seed$2-limit${3:-all}-asof$4"; }

# make SCALE SEED LIMIT AS_OF DIR DB: gen, init, import (no sweep)
rules_cache_make() {
    "$PLUMB" gen --scale "$1" --seed "$2" --out "$5" ${3:+--limit $3} --quiet >/dev/null &&
        "$PLUMB" init --db "$6" >/dev/null &&
        "$PLUMB" import --all "$5" --db "$6" --quiet --as-of "$4" >/dev/null
}

imported() { # SCALE SEED LIMIT AS_OF DIR DB
    local c f
    c=${PLUMB_RULES_CACHE:-}/$(rules_cache_key "$1" "$2" "$3" "$4")
    if [ -n "${PLUMB_RULES_CACHE:-}" ] && [ -f "$c/done" ]; then
        cp -r "$c/data" "$5" || return 1
        for f in "$c"/store.db*; do cp "$f" "$6${f#"$c"/store.db}" || return 1; done
        echo "(store from the rules.cache fixture: $(rules_cache_key "$1" "$2" "$3" "$4"))"
    else
        rules_cache_make "$@"
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    : "${PLUMB:?PLUMB must name the plumb binary}"
    out=${1:?usage: rules_cache.sh DIR}
    rm -rf "$out"
    mkdir -p "$out"
    # The stores of rules_r18.sh, rules_r19.sh and rules_r20.sh (AS_OF there).
    for spec in "county 1 ''" "prefecture 7 2"; do
        eval "set -- $spec"
        k=$(rules_cache_key "$1" "$2" "$3" 2026-06-30)
        mkdir "$out/$k"
        rules_cache_make "$1" "$2" "$3" 2026-06-30 "$out/$k/data" "$out/$k/store.db"
        touch "$out/$k/done"
        echo "rules.cache: $k"
    done
fi
