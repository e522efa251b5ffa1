#!/bin/bash
# import_journal.sh — `plumb import` runs its batch with a rollback journal
# instead of the WAL when it is the store's only connection (SQLite;
# pl_store_bulk_journal, docs/IMPORT.md "Rollback journal"), and stays
# crash-safe: a kill -9 at the journal's unlink (the commit point: the
# store file written and synced, the journal still there) and at write
# points spread over the batch leaves the store as before the batch (same
# rows, every table) or with the whole batch, `plumb verify` clean and the
# store back in WAL. With `plumb serve` on the store the import keeps the
# WAL (the server's readers go on) and the server keeps answering.
# PLUMB_IMPORT_WAL=1 keeps the WAL. SQLite only: PostgreSQL has no journal
# mode (its import is unchanged).
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}" "${PLUMB_IOFAULT:?}"
[ "${PLUMB_TEST_BACKEND:-sqlite}" = sqlite ] || { echo "import_journal: SQLite only, skipped"; exit 0; }
T=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 1
P=$PLUMB
N=20000
mkdir -p org
awk 'BEGIN { print "id,parent_id,name,division_code,level,kind,industry"
    print "U0000,,Prefecture committee,4331,prefecture,party,party"
    for (i = 1; i < 40; i++) printf "U%04d,U0000,Unit %d,433127,county,department,finance\n", i, i }' >org/01_units.csv
# N persons with valid GB 11643 check digits.
. "$PLUMB_SRC/tests/cli/helpers/gb_persons.sh"
gb_persons "$N" 433127 张伟 >org/persons.csv
[ "$(wc -l <org/persons.csv)" -eq $((N + 1)) ] || fail "generator"
q() { sqlite3 "$1" "$2"; }
# Every row of every table (less the import's own timestamps: none are
# written by a rolled-back batch, so the dump before and after must match).
dump() { sqlite3 "$1" .dump | grep -v '^PRAGMA\|^BEGIN\|^COMMIT'; }
base() { # a store with the units imported (the "before")
    rm -f "$1" "$1"-wal "$1"-shm "$1"-journal "$1".key
    "$P" init --db "$1" >/dev/null 2>&1 || fail "init $1"
    "$P" import --db "$1" --source org org/01_units.csv --no-rules --quiet >/dev/null 2>&1 || fail "units $1"
}
imp() { # DB [env...]: import the persons; counts the journal's writes
    local db=$1
    shift
    env LD_PRELOAD="$PLUMB_IOFAULT" IOFAULT_PATH="$(basename "$db")-journal" IOFAULT_COUNT="$T/jw" "$@" \
        "$P" import --db "$db" --source org org/persons.csv --no-rules --quiet >"$T/out" 2>&1
}

# 1. The mode: the batch writes a rollback journal, and the WAL is back after.
base a.db
imp a.db || fail "import: $(cat out)"
[ "$(cat jw)" -gt 0 ] || fail "the import wrote no rollback journal ($(cat jw) writes)"
[ "$(q a.db 'PRAGMA journal_mode')" = wal ] || fail "journal mode after the import: $(q a.db 'PRAGMA journal_mode')"
[ ! -e a.db-journal ] || fail "a journal left after the import"
[ "$(q a.db 'SELECT count(*) FROM persons')" = $N ] || fail "rows"
"$P" verify --db a.db >v 2>&1 || { cat v; fail "verify"; }
# PLUMB_IMPORT_WAL=1: no journal, the WAL.
base w.db
imp w.db PLUMB_IMPORT_WAL=1 || fail "import in WAL: $(cat out)"
[ "$(cat jw)" = 0 ] || fail "PLUMB_IMPORT_WAL=1 wrote a rollback journal ($(cat jw) writes)"
# The same rows either way (the header's times aside, the same events).
[ "$(q a.db 'SELECT count(*), sum(length(payload)) FROM ledger_events')" = \
    "$(q w.db 'SELECT count(*), sum(length(payload)) FROM ledger_events')" ] || fail "events differ by journal mode"
[ "$(q a.db 'SELECT group_concat(id) FROM (SELECT id FROM persons ORDER BY id)' | md5sum)" = \
    "$(q w.db 'SELECT group_concat(id) FROM (SELECT id FROM persons ORDER BY id)' | md5sum)" ] || fail "persons differ"

# 2. kill -9 at the commit point: the journal's unlink. The store file
# holds the whole batch, synced; the hot journal must undo it. The
# journal is unlinked three times: when the store leaves the WAL (the
# header's format byte is a transaction of its own), at the batch's commit
# and when the store goes back to the WAL.
base k.db
dump k.db >before.sql
size0=$(stat -c %s k.db)
LD_PRELOAD="$PLUMB_IOFAULT" IOFAULT_KILL_UNLINK=k.db-journal IOFAULT_UNLINK_AT=2 \
    "$P" import --db k.db --source org org/persons.csv --no-rules --quiet >out 2>&1
st=$?
[ $st = 137 ] || fail "not killed at the journal's unlink (exit $st): $(cat out)"
[ -s k.db-journal ] || fail "no hot journal after the kill"
[ "$(stat -c %s k.db)" -gt "$size0" ] || fail "the store file did not grow before the commit point"
# The next connection rolls the journal back (plumb's own open).
"$P" verify --db k.db >v 2>&1 || { cat v; fail "verify after the kill at the commit point"; }
[ ! -e k.db-journal ] || fail "the hot journal is still there"
[ "$(q k.db 'PRAGMA journal_mode')" = wal ] || fail "journal mode after the recovery"
dump k.db >after.sql
cmp -s before.sql after.sql || { diff before.sql after.sql | head -5; fail "the store is not as before the batch"; }
[ "$(q k.db 'PRAGMA integrity_check')" = ok ] || fail "integrity_check"
# And the batch goes through on the next run.
imp k.db || fail "import after the kill: $(cat out)"
[ "$(q k.db 'SELECT count(*) FROM persons')" = $N ] || fail "rows after the rerun"
# Killed at the first unlink (leaving the WAL) and the third (going back to
# it, after the commit): nothing and everything, and the WAL on the next open.
for at in 1 3; do
    base k.db
    LD_PRELOAD="$PLUMB_IOFAULT" IOFAULT_KILL_UNLINK=k.db-journal IOFAULT_UNLINK_AT=$at \
        "$P" import --db k.db --source org org/persons.csv --no-rules --quiet >out 2>&1
    st=$?
    [ $st = 137 ] || fail "not killed at the journal's unlink $at (exit $st): $(cat out)"
    "$P" verify --db k.db >v 2>&1 || { cat v; fail "verify after the kill at unlink $at"; }
    want=0
    [ $at = 3 ] && want=$N
    [ "$(q k.db 'SELECT count(*) FROM persons')" = $want ] || fail "kill at unlink $at: want $want persons"
    [ "$(q k.db 'PRAGMA journal_mode')" = wal ] || fail "journal mode after the kill at unlink $at"
done

# 3. kill -9 at write points spread over the batch (the store file and its
# journal): nothing or everything.
base c.db
LD_PRELOAD="$PLUMB_IOFAULT" IOFAULT_PATH=c.db IOFAULT_COUNT="$T/cnt" \
    "$P" import --db c.db --source org org/persons.csv --no-rules --quiet >out 2>&1 || fail "count run"
K=$(cat cnt)
[ "$K" -gt 10 ] || fail "only $K write points"
kills=0 nothing=0 all=0
for at in 1 2 $((K / 4)) $((K / 2)) $((3 * K / 4)) $((K - 3)) $((K - 2)) $((K - 1)) $K; do
    base c.db
    dump c.db >before.sql
    LD_PRELOAD="$PLUMB_IOFAULT" IOFAULT_PATH=c.db IOFAULT_AT=$at IOFAULT_KILL=1 \
        "$P" import --db c.db --source org org/persons.csv --no-rules --quiet >out 2>&1
    [ $? = 137 ] && kills=$((kills + 1))
    "$P" verify --db c.db >v 2>&1 || { cat v; fail "verify after a kill at write $at of $K"; }
    rows=$(q c.db 'SELECT count(*) FROM persons')
    if [ "$rows" = 0 ]; then
        dump c.db >after.sql
        cmp -s before.sql after.sql || fail "kill at write $at of $K: the store is not as before"
        nothing=$((nothing + 1))
    elif [ "$rows" = $N ]; then
        all=$((all + 1))
    else
        fail "kill at write $at of $K: $rows persons (want 0 or $N)"
    fi
    [ "$(q c.db 'PRAGMA journal_mode')" = wal ] || fail "journal mode after a kill at write $at"
done
[ $kills -ge 5 ] || fail "only $kills of the runs were killed"

# 4. With `plumb serve` on the store: the WAL stays, the server answers.
base s.db
"$P" serve --db s.db --port 0 --port-file port --quiet --rate-ip 0 --rate-user 0 --rate-login 0 \
    2>serve.log &
SRV=$!
for _ in $(seq 1 400); do [ -s port ] && break; sleep 0.05; done
[ -s port ] || fail "the server did not start: $(cat serve.log)"
B="http://127.0.0.1:$(cat port)"
curl -sf "$B/api/v1/health" >/dev/null || fail "health before the import"
imp s.db || fail "import beside the server: $(cat out)"
[ "$(cat jw)" = 0 ] || fail "the import left the WAL with a server on the store ($(cat jw) journal writes)"
[ "$(q s.db 'PRAGMA journal_mode')" = wal ] || fail "journal mode beside the server"
curl -sf "$B/api/v1/health" >/dev/null || fail "health after the import"
[ "$(q s.db 'SELECT count(*) FROM persons')" = $N ] || fail "rows beside the server"
kill "$SRV"
wait "$SRV" 2>/dev/null
SRV=
"$P" verify --db s.db >v 2>&1 || { cat v; fail "verify beside the server"; }
echo "import_journal: 4 passed, 0 failed ($kills kills at $K write points: $nothing left nothing, $all everything; commit-point kill rolled back)"
