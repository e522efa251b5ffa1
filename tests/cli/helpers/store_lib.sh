# helpers/store_lib.sh — sourced by the CLI scripts that run on both engines
# (issue #20 "Same tests on both"): ctest runs such a script as cli.<name>
# on SQLite and again as cli.pg.<name> with PLUMB_TEST_BACKEND=pg and
# PLUMB_PG_STATE (the fixture `pg`'s cluster, scripts/pg-tmp; label pg-api,
# make check's stage 4). Source it after T (the script's temp dir) is set:
#
#     DB=$(store_new s)       a fresh store's --db: $T/s.db, or the URL of a
#                             fresh database cli_<script>__s of the cluster
#     store_side "$DB" KIND   the path of a side file: KIND is key,
#                             totp.key, rules-snapshot or rules.key
#                             (docs/DEPLOY.md "State directory")
#     store_sql "$DB" SQL     `plumb sql` (either engine; never the sqlite3 shell)
#     store_digest "$DB"      equal digests: nothing written (file bytes / table data)
#     store_dump "$DB"        every row of every table, to grep
#     X=$(store_copy "$DB" x) a copy (data and side files), to tamper with
#     store_cols "$DB" TABLE  TABLE's columns for a SELECT, less the row key
#     STORE_PG                1 on PostgreSQL, else 0
#
# On PostgreSQL, PLUMB becomes tests/api/plumb-pg, which adds the store's
# --state-dir ($T/side/<database>) to every command naming a URL store, as
# for the API suite; the URLs carry no password (PGPASSWORD holds it), so a
# failing line in the log names no secret (docs/SECURITY.md "Secrets never
# in logs"). PLUMB_TEST_BACKEND=pg without a cluster fails, never skips.
# Layer: tests/cli.
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${T:?source store_lib.sh after T is set}"
STORE_PG=0
if [ "${PLUMB_TEST_BACKEND:-}" = pg ]; then
    STORE_PG=1
    [ -f "${PLUMB_PG_STATE:-/nonexistent}/url" ] || {
        echo "FAIL: PLUMB_TEST_BACKEND=pg needs the cluster (PLUMB_PG_STATE/url)"
        exit 1
    }
    if [ -z "${PLUMB_REAL:-}" ]; then
        export PLUMB_REAL=$PLUMB
        PLUMB=$PLUMB_SRC/tests/api/plumb-pg
        export PLUMB
    fi
    export PLUMB_API_SIDE=$T/side
    mkdir -p "$PLUMB_API_SIDE"
    PGPASSWORD=$(sed -E 's#^[^:]+://[^:@/]*:([^@/]*)@.*#\1#' "$PLUMB_PG_STATE/url")
    export PGPASSWORD PGOPTIONS='-c client_min_messages=warning'
fi
STORE_SCRIPT=$(basename "$0" .sh | tr 'A-Z-' 'a-z_')

# The script's databases, dropped at exit as lib.mjs does: cli_<script>__*,
# two underscores, so that the script witness does not drop witness_go's
# (cli_witness_go_c matched cli\_witness\_% while both ran side by side).
store_drop_all() {
    local admin
    admin=$(sed -E 's#//([^:@/]+):[^@/]*@#//\1@#' "$PLUMB_PG_STATE/url")
    psql -X -q -At "$admin" -c "SELECT datname FROM pg_database WHERE datname LIKE 'cli\_${STORE_SCRIPT}\_\_%'" 2>/dev/null |
        while read -r d; do
            psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
        done || true
}
if [ "$STORE_PG" = 1 ]; then
    # before the script's own EXIT trap (set before this file is sourced)
    store_prev_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
    trap "store_drop_all; $store_prev_trap" EXIT
fi

store_new() { # NAME → the --db of a fresh, empty store (plumb init makes it)
    if [ "$STORE_PG" = 0 ]; then
        echo "$T/$1.db"
        return
    fi
    local url
    url=$("$PLUMB_SRC/scripts/pg-tmp" createdb "$PLUMB_PG_STATE" "cli_${STORE_SCRIPT}__$1") || {
        echo "FAIL: createdb cli_${STORE_SCRIPT}__$1" >&2
        return 1
    }
    sed -E 's#//([^:@/]+):[^@/]*@#//\1@#' <<<"$url"
}

store_side() { # DB KIND → the side file's path
    if [ "$STORE_PG" = 0 ]; then
        echo "$1.$2"
    else
        local name=${1##*/}
        echo "$PLUMB_API_SIDE/${name%%\?*}/plumbline.$2"
    fi
}

store_sql() { # DB SQL...
    "$PLUMB" sql --db "$@"
}

store_digest() { # DB → a digest of everything the store holds: equal digests,
    # nothing written. SQLite: the file's bytes after a checkpoint, less the
    # header's file change counter and its copy (bytes 24–27 and 92–95: a
    # `plumb import` that leaves the WAL for a rollback journal and comes
    # back counts those transactions there, even when its batch is refused,
    # which writes nothing else; docs/IMPORT.md "Rollback journal"); PostgreSQL:
    # the data of every table (pg_dump --data-only; the visible rows, so a
    # rolled-back write leaves it unchanged as it leaves the file's bytes;
    # less pg_dump's \restrict lines, a random key per dump, and the
    # sequences' setval lines: a rolled-back insert still advances the row
    # key row_no's identity, outside any transaction, and no row shows it).
    if [ "$STORE_PG" = 0 ]; then
        "$PLUMB" sql --db "$1" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null || return 1
        { head -c 24 "$1"; head -c 92 "$1" | tail -c +29; tail -c +97 "$1"; } | sha256sum
    else
        pg_dump --data-only --no-owner --no-comments "$1" |
            grep -v -e '^\\\(un\)\?restrict ' -e '^SELECT pg_catalog.setval(' | sha256sum
    fi
}

store_dump() { # DB → every row of every table, as text (to grep for what must not be stored)
    if [ "$STORE_PG" = 0 ]; then
        local t
        for t in $("$PLUMB" sql --db "$1" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
            "$PLUMB" sql --db "$1" "SELECT * FROM \"$t\"" || return 1
        done
    else
        pg_dump --data-only --no-owner --no-comments "$1" | grep -v '^\\\(un\)\?restrict '
    fi
}

store_copy() { # DB NAME → the --db of a new store NAME, a copy of DB's data and side files
    if [ "$STORE_PG" = 0 ]; then
        rm -f "$T/$2.db"
        "$PLUMB" sql --db "$1" "VACUUM INTO '$T/$2.db'" >/dev/null || return 1
        local k
        for k in key totp.key rules-snapshot rules.key; do
            [ -e "$1.$k" ] && cp -p "$1.$k" "$T/$2.db.$k"
        done
        echo "$T/$2.db"
    else
        local from=${1##*/} to=cli_${STORE_SCRIPT}__$2 admin
        from=${from%%\?*}
        admin=$(sed -E 's#//([^:@/]+):[^@/]*@#//\1@#' "$PLUMB_PG_STATE/url")
        psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $to WITH (FORCE)" \
            -c "CREATE DATABASE $to TEMPLATE $from" >/dev/null || return 1
        rm -rf "${PLUMB_API_SIDE:?}/$to"
        [ -d "$PLUMB_API_SIDE/$from" ] && cp -rp "$PLUMB_API_SIDE/$from" "$PLUMB_API_SIDE/$to"
        echo "${1%/*}/$to"
    fi
}

store_cols() { # DB TABLE → its columns for a SELECT, less PostgreSQL's row key
    # row_no (an identity: a rebuild's replay numbers the rows anew, in the
    # same order; SQLite's rowid is not in `*`)
    if [ "$STORE_PG" = 0 ]; then
        echo '*'
    else
        "$PLUMB" sql --db "$1" "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position)
            FROM information_schema.columns WHERE table_schema = current_schema()
            AND table_name = '$2' AND column_name <> 'row_no'"
    fi
}

store_copy_live() { # DB NAME → as store_copy, while a server has DB open:
    # SQLite's VACUUM INTO reads a consistent snapshot either way; on
    # PostgreSQL CREATE DATABASE … TEMPLATE refuses a database with other
    # connections, so the copy is pg_dump's (one snapshot) into a new database.
    if [ "$STORE_PG" = 0 ]; then
        store_copy "$@"
        return
    fi
    local from=${1##*/} to=cli_${STORE_SCRIPT}__$2 admin
    from=${from%%\?*}
    admin=$(sed -E 's#//([^:@/]+):[^@/]*@#//\1@#' "$PLUMB_PG_STATE/url")
    psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "DROP DATABASE IF EXISTS $to WITH (FORCE)" \
        -c "CREATE DATABASE $to" >/dev/null || return 1
    pg_dump --no-owner --no-comments "$1" |
        grep -v '^\\\(un\)\?restrict ' | psql -X -q -v ON_ERROR_STOP=1 "${1%/*}/$to" >/dev/null || return 1
    rm -rf "${PLUMB_API_SIDE:?}/$to"
    [ -d "$PLUMB_API_SIDE/$from" ] && cp -rp "$PLUMB_API_SIDE/$from" "$PLUMB_API_SIDE/$to"
    echo "${1%/*}/$to"
}
