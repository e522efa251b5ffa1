#!/bin/bash
# import_floor_sql.sh — what PLUMB_IMPORT_FLOOR_SQL notes is what the batch
# did around its rows (docs/IMPORT.md "The write floor's SQL";
# bench/import.sh builds its like-for-like floor (f) from it): the
# settings are the batch's (a rollback journal, synchronous=EXTRA: the
# import is the store's only connection), every index and trigger dropped
# before the rows is created again after them, and replaying the note
# around a row-by-row copy of the imported store's tables into a fresh
# store gives that store: the same schema (every index and trigger back,
# the same text) and the same rows in every table. A batch into a store
# whose tables have rows defers nothing, and notes no DROP. SQLite only.
set -u
: "${PLUMB:?}" "${PLUMB_SRC:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v sqlite3 >/dev/null || fail "sqlite3 shell missing"
"$PLUMB" gen --scale county --seed 5 --out "$T/gen" --quiet >/dev/null 2>&1 || fail "gen"
D=$T/data
for f in "$T"/gen/*/*.csv; do
    s=$(basename "$(dirname "$f")")
    [ "$s" = bad ] && continue
    mkdir -p "$D/$s"
    head -n 401 "$f" >"$D/$s/$(basename "$f")"
done
"$PLUMB" init --db "$T/a.db" >/dev/null 2>&1 || fail "init a"
PLUMB_IMPORT_FLOOR_SQL=$T/floor.sql "$PLUMB" import --all "$D" --partial --rejects "$T/rej.csv" \
    --db "$T/a.db" --no-rules --quiet --lang en >"$T/out" 2>&1 || { cat "$T/out"; fail "import"; }
[ -s "$T/floor.sql" ] || fail "no note written"
section() { awk -v t="-- $1" '/^-- / { on = ($0 == t); next } on' "$T/floor.sql"; }
# The batch's settings: a rollback journal, synchronous EXTRA (3).
section settings | grep -qx 'PRAGMA journal_mode=delete;' || { section settings; fail "journal mode"; }
section settings | grep -qx 'PRAGMA synchronous=3;' || { section settings; fail "synchronous"; }
# Each index and trigger dropped is created again, and nothing else.
dropped() { section "before the rows" | grep -o "DROP $1 \"[a-z_0-9]*\"" | sed 's/.* "//; s/"$//' | sort; }
created() { section "after the rows" | grep -o "CREATE $1 [a-z_0-9]*" | sed 's/.* //' | sort; }
[ "$(dropped INDEX | wc -l)" -ge 20 ] || fail "only $(dropped INDEX | wc -l) indexes deferred"
[ "$(dropped TRIGGER | wc -l)" = 17 ] || fail "$(dropped TRIGGER | wc -l) triggers deferred, want the 17 of 0063 and 0066"
[ "$(dropped INDEX)" = "$(created INDEX)" ] || fail "indexes dropped and created differ"
[ "$(dropped TRIGGER)" = "$(created TRIGGER)" ] || fail "triggers dropped and created differ"
# The floor: the note around a row-by-row copy, into a fresh store.
"$PLUMB" init --db "$T/b.db" >/dev/null 2>&1 || fail "init b"
{
    section settings
    printf "ATTACH '%s' AS src;\nBEGIN IMMEDIATE;\n" "$T/a.db"
    section "before the rows"
    for t in $(sqlite3 "$T/a.db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"); do
        [ "$(sqlite3 "$T/b.db" "SELECT count(*) FROM \"$t\"")" = 0 ] || continue # filled by init
        case $t in person_units | persons_placed) continue ;; esac                # the fill's
        printf 'INSERT OR FAIL INTO main."%s" SELECT * FROM src."%s" WHERE 1;\n' "$t" "$t"
    done
    section "after the rows"
    printf 'COMMIT;\n'
} >"$T/floor-run.sql"
sqlite3 -bail "$T/b.db" <"$T/floor-run.sql" >/dev/null 2>"$T/floor.err" || { cat "$T/floor.err"; fail "floor run"; }
schema() { sqlite3 "$1" "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"; }
schema "$T/a.db" >"$T/sa"
schema "$T/b.db" >"$T/sb"
diff -q "$T/sa" "$T/sb" >/dev/null || { diff "$T/sa" "$T/sb" | head; fail "the floor's schema differs from the import's"; }
# The same rows in every table but those init fills with its own keys and times.
for t in $(sqlite3 "$T/a.db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"); do
    case $t in plumb_meta | schema_migrations) continue ;; esac
    n=$(sqlite3 "$T/b.db" "ATTACH '$T/a.db' AS a; SELECT (SELECT count(*) FROM (SELECT * FROM main.\"$t\" EXCEPT SELECT * FROM a.\"$t\")) + (SELECT count(*) FROM (SELECT * FROM a.\"$t\" EXCEPT SELECT * FROM main.\"$t\"))")
    [ "$n" = 0 ] || fail "table $t: $n rows differ"
done
[ "$(sqlite3 "$T/a.db" 'SELECT count(*) FROM person_units')" -gt 0 ] || fail "no person_units: the fill was not tried"
# A second batch (the tables have rows): nothing deferred, no DROP noted.
mkdir -p "$T/more/finance"
head -n 1 "$T/gen/finance/payments.csv" >"$T/more/finance/payments.csv"
sed -n '402,450p' "$T/gen/finance/payments.csv" >>"$T/more/finance/payments.csv"
PLUMB_IMPORT_FLOOR_SQL=$T/floor2.sql "$PLUMB" import --all "$T/more" --partial --rejects "$T/rej2.csv" \
    --db "$T/a.db" --no-rules --quiet --lang en >"$T/out2" 2>&1 || { cat "$T/out2"; fail "second import"; }
[ -s "$T/floor2.sql" ] || fail "no note for the second batch"
! grep -q '^DROP\|DROP INDEX\|DROP TRIGGER' "$T/floor2.sql" || fail "the second batch noted a DROP"
echo "ok: import_floor_sql"
