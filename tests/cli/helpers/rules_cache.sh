# helpers/rules_cache.sh — the generated stores the rules tests share
# (cli.rules_r18, cli.rules_r19, cli.rules_r20, cli.rules_snapshot_mac):
# each of them used to run the same `plumb gen` + `plumb init` + `plumb
# import --all --as-of` of the county (seed 1) and of the prefecture's
# first 2 areas (seed 7), and the
# imports were most of their time (docs/RELIABILITY.md "The suite's time").
#
# Sourced, it gives `imported SCALE SEED LIMIT AS_OF DIR DB`: DIR holds
# plumb gen's files and DB a store (with its key and snapshot files) into
# which they were imported with --as-of AS_OF. It copies both from
# $PLUMB_RULES_CACHE (the ctest fixture `rules`, built once per run by the
# entry rules.cache) when the cache holds them, else makes them itself as
# before, so a test run on its own (bash tests/cli/rules_r18.sh) is the same.
# On PostgreSQL (STORE_PG=1, helpers/store_lib.sh) DB is a fresh database's
# URL, made anew from a template database (rules_cache_pg below).
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

# On PostgreSQL (STORE_PG=1): DB is a fresh database of the fixture's
# cluster. The first caller of a ctest run builds a template database
# rtpl_<key> (gen, init, import, as rules_cache_make) with its CSVs and
# state directory under $PLUMB_PG_STATE/rules-templates/<key>, under a lock
# directory (a dead builder's lock is taken over); every caller then gets
# DB anew as CREATE DATABASE ... TEMPLATE rtpl_<key> and a copy of the CSVs
# and of the state directory: one import a run for rules_r18 and rules_r19
# instead of one each (the import of a county is most of their time there).
# The templates go with the cluster (pg.cluster.stop), so a rebuilt plumb
# never meets one made by another.
rules_cache_pg() { # SCALE SEED LIMIT AS_OF DIR DB
    local key tpl root lock admin to pid
    key=$(rules_cache_key "$1" "$2" "$3" "$4" | tr -c 'a-z0-9\n' _)
    tpl=rtpl_$key root=$PLUMB_PG_STATE/rules-templates/$key lock=$root.lock
    admin=$(sed -E 's#//([^:@/]+):[^@/]*@#//\1@#' "$PLUMB_PG_STATE/url")
    mkdir -p "$PLUMB_PG_STATE/rules-templates"
    until [ -f "$root/done" ]; do
        if mkdir "$lock" 2>/dev/null; then
            echo $$ >"$lock/pid"
            rm -rf "$root" && mkdir -p "$root/side" || return 1
            local url=${6%/*}/$tpl
            psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $tpl WITH (FORCE)" \
                -c "CREATE DATABASE $tpl" >/dev/null &&
                PLUMB_API_SIDE=$root/side rules_cache_make "$1" "$2" "$3" "$4" "$root/data" "$url" &&
                touch "$root/done"
            local rc=$?
            rm -rf "$lock"
            [ $rc = 0 ] || return 1
        else
            pid=$(cat "$lock/pid" 2>/dev/null) || pid=
            [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && rm -rf "$lock" # its builder died
            sleep 1
        fi
    done
    to=${6##*/}
    to=${to%%\?*}
    psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $to WITH (FORCE)" \
        -c "CREATE DATABASE $to TEMPLATE $tpl STRATEGY FILE_COPY" >/dev/null || return 1
    cp -r "$root/data" "$5" || return 1
    rm -rf "${PLUMB_API_SIDE:?}/$to"
    cp -rp "$root/side/$tpl" "$PLUMB_API_SIDE/$to" || return 1
    echo "(store from the template database $tpl)"
}

imported() { # SCALE SEED LIMIT AS_OF DIR DB
    local c f
    c=${PLUMB_RULES_CACHE:-}/$(rules_cache_key "$1" "$2" "$3" "$4")
    if [ "${STORE_PG:-0}" = 1 ]; then
        rules_cache_pg "$@"
    elif [ -n "${PLUMB_RULES_CACHE:-}" ] && [ -f "$c/done" ]; then
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
