#!/bin/bash
# pg_badinput.sh — bad --db input on PostgreSQL (issue #20, "What it must
# show": an unreachable database, wrong credentials, a database of another
# application, a schema from a newer version — each one clear line and
# exit 1), on the tests' throwaway cluster (scripts/pg-tmp, fixture pg).
# The expected words are the ones docs/DEPLOY.md promises; the password is
# never printed. Also: a PostgreSQL store is created and reopened (init,
# checkpoint, log), and the refused opens leave it as it was.
# Layer: tests/cli (store/pg.c).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_PG_STATE:?run through ctest (fixture pg)}"
. "$PLUMB_SRC/tests/cli/helpers/pg_lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export PLUMB_LANG=en PGOPTIONS='-c client_min_messages=warning'
U=$(pg_db pg_badinput) || exit 1
PW=$(sed 's|.*//plumb:\([^@]*\)@.*|\1|' <<<"$U")
PORT=$(cat "$PLUMB_PG_STATE/port")

. "$PLUMB_SRC/tests/cli/helpers/want1.sh"

# A store on PostgreSQL: made, then used.
export PLUMB_KEY=$T/log.key
"$PLUMB" init --db "$U" >"$T/init" 2>&1 || fail "init: $(cat "$T/init")"
grep -qF -- "$PW" "$T/init" && fail "init printed the password"
"$PLUMB" checkpoint --db "$U" >/dev/null 2>&1 || fail checkpoint
[ "$("$PLUMB" log --db "$U" | wc -l)" = 1 ] || fail "log: one checkpoint event"
[ "$("$PLUMB" sql --db "$U" "SELECT value FROM plumb_meta WHERE key='magic'")" = plumbline ] ||
    fail "magic"
before=$("$PLUMB" sql --db "$U" "SELECT count(*), max(seq) FROM ledger_events")

# 1. Unreachable: nothing listens on the port of a stopped server (the
#    cluster's port plus one is free only by luck: port 1 is never ours).
want1 "unreachable" "cannot reach the database server" \
    "$PLUMB" log --db "postgresql://plumb:$PW@127.0.0.1:1/pg_badinput"
#    And a URL libpq cannot read says so, not "cannot reach".
want1 "malformed URL" "not a usable database URL" \
    "$PLUMB" log --db "postgresql://plumb:$PW@127.0.0.1:$PORT/pg_badinput?no_such_option=1"
# 2. Wrong credentials.
want1 "wrong password" "the database refused the credentials" \
    "$PLUMB" log --db "postgresql://plumb:wrong$PW@127.0.0.1:$PORT/pg_badinput"
# 3. A database of another application: tables, none of ours.
U2=$(pg_db pg_badinput_other) || exit 1
"$PLUMB" sql --db "$U2" "CREATE TABLE customers(id int PRIMARY KEY, name text)" || fail "other app"
want1 "another application's database" "not a Plumbline store" "$PLUMB" log --db "$U2"
want1 "another application's database (init)" "not a Plumbline store" env PLUMB_KEY="$T/other.key" "$PLUMB" init --db "$U2"
[ "$("$PLUMB" sql --db "$U2" "SELECT count(*) FROM pg_tables WHERE schemaname='public'")" = 1 ] ||
    fail "init wrote into another application's database"
# 4. A schema from a newer version of plumb.
"$PLUMB" sql --db "$U" "INSERT INTO schema_migrations(version,name,applied_at) VALUES(9999,'future','2099-01-01T00:00:00Z')" ||
    fail "future row"
want1 "newer schema" "is newer than this program" "$PLUMB" log --db "$U"
"$PLUMB" sql --db "$U" "DELETE FROM schema_migrations WHERE version=9999" || fail "unfuture"
[ "$("$PLUMB" sql --db "$U" "SELECT count(*), max(seq) FROM ledger_events")" = "$before" ] ||
    fail "a refused open changed the store"
"$PLUMB" log --db "$U" >/dev/null 2>&1 || fail "store unusable after the refusals"
# 5. A read-only server (a standby, docs/DEPLOY.md "Read replicas"; here a
#    session whose transactions are read-only, SQLSTATE 25006 as there):
#    opening a store whose migrations are all applied writes nothing, so
#    the read commands run; one that writes says the server is read-only,
#    not "store busy".
RO="-c client_min_messages=warning -c default_transaction_read_only=on"
for c in log findings; do
    PGOPTIONS=$RO "$PLUMB" $c --db "$U" >"$T/ro.out" 2>"$T/ro.err" ||
        fail "$c on a read-only server: $(cat "$T/ro.err")"
done
[ "$(PGOPTIONS=$RO "$PLUMB" log --db "$U" 2>/dev/null | wc -l)" = 1 ] || fail "log on a read-only server"
[ "$(PGOPTIONS=$RO "$PLUMB" sql --db "$U" "SELECT count(*) FROM ledger_events" 2>/dev/null)" = 1 ] ||
    fail "sql on a read-only server"
want1 "read-only server" "the database server is read-only (a standby)" env PGOPTIONS="$RO" "$PLUMB" checkpoint --db "$U"
echo "ok"
