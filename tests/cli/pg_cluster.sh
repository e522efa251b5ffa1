#!/bin/bash
# pg_cluster.sh — the throwaway PostgreSQL cluster of the tests
# (scripts/pg-tmp, the CTest fixture `pg`): it answers at the URL it
# printed, on the loopback address; its server and data directory belong
# to an unprivileged user, never root; the password is required over TCP
# (a wrong one is refused). Layer: tests/cli (test infrastructure).
set -u
: "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg) or scripts/pg-tmp run}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
export PGOPTIONS='-c client_min_messages=warning'
URL=$(cat "$PLUMB_PG_STATE/url") || fail "no url in $PLUMB_PG_STATE"
case "$URL" in postgresql://plumb:*@127.0.0.1:*/postgres) ;; *) fail "url shape: $URL" ;; esac
[ "$(psql -X -At "$URL" -c 'SELECT 6*7')" = 42 ] || fail "the cluster does not answer at its URL"
[ "$(psql -X -At "$URL" -c 'SHOW listen_addresses')" = 127.0.0.1 ] || fail "listens beyond loopback"
DIR=$(cat "$PLUMB_PG_STATE/dir")
owner=$(stat -c %U "$DIR/data")
[ "$owner" != root ] || fail "data directory owned by root"
pid=$(head -1 "$DIR/data/postmaster.pid")
[ "$(ps -o user= -p "$pid")" != root ] || fail "postgres runs as root"
bad=$(sed 's|//plumb:[^@]*@|//plumb:wrong@|' <<<"$URL")
psql -X -At "$bad" -c 'SELECT 1' >/dev/null 2>&1 && fail "a wrong password was accepted"
# A database of our own, dropped and created by the script.
U2=$(pg_db pg_cluster_t) || exit 1
[ "$(psql -X -At "$U2" -c 'SELECT current_database()')" = pg_cluster_t ] || fail "createdb url"
echo "ok"
